package dev.jaclab.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad shapes fail early with messages that name the op and the shapes. */
class ErrorMessageTest extends Float64Scope {
    private final Tensor x = Tensor.randn(1, 1024, 3);
    private final Tensor small = Tensor.randn(2, 3, 4);

    private static String message(Executable e) { return assertThrows(IllegalArgumentException.class, e).getMessage(); }

    private static void assertMentions(String msg, String... parts) {
        for (String p : parts) assertTrue(msg.contains(p), "message \"" + msg + "\" lacks \"" + p + "\"");
    }

    @Test void matmulInnerDimMismatch() {
        assertEquals("matmul: (1024,3) @ (16,3): inner dims 3 and 16 differ", message(() -> x.matmul(Tensor.randn(3, 16, 3))));
        assertEquals("matmul: (4,) @ (3,): inner dims 4 and 3 differ", message(() -> Tensor.randn(4, 4).matmul(Tensor.randn(5, 3))));
        assertMentions(message(() -> x.matmul(Tensor.scalar(2))), "matmul", "scalar operand", "(1024,3)");
        assertMentions(message(() -> Tensor.randn(4, 2, 3, 4).matmul(Tensor.randn(5, 5, 4, 2))), "matmul", "(2,)", "(5,)", "do not broadcast");
    }

    @Test void broadcastFailureNamesOpShapesAndDim() {
        assertEquals("add: shapes (3,4) and (5,) do not broadcast (dim -1: 4 vs 5)", message(() -> small.add(Tensor.randn(6, 5))));
        assertMentions(message(() -> small.mul(Tensor.randn(7, 2, 4))), "mul", "(3,4)", "(2,4)", "dim -2: 3 vs 2");
        assertMentions(message(() -> Tensor.where(Tensor.ones(2, 4), small, small)), "where", "(2,4)", "(3,4)");
        assertEquals("expand: (3,4) cannot broadcast to (3,5)", message(() -> small.expand(3, 5)));
    }

    @Test void reshapeNarrowAndIndexErrors() {
        assertEquals("reshape: cannot view (3,4) as (5,2)", message(() -> small.reshape(5, 2)));
        assertMentions(message(() -> small.reshape(-1, 5)), "reshape", "(3,4)", "(-1,5)");
        assertMentions(message(() -> small.reshape(-1, -1)), "more than one -1");
        assertEquals("narrow: [3, 5) along dim 1 is outside shape (3,4)", message(() -> small.narrow(1, 3, 2)));
        assertEquals("narrow: dim 2 out of range for rank 2", message(() -> small.narrow(2, 0, 1)));
        assertMentions(message(() -> small.indexSelect(1, 0, 4)), "indexSelect", "index 4", "(3,4)");
        assertMentions(message(() -> small.sum(new int[]{2}, false)), "sum", "dim 2", "rank 2");
        assertMentions(message(() -> small.sum(new int[]{1, -1}, false)), "sum", "repeated");
        assertMentions(message(() -> small.permute(0, 0)), "permute", "not a permutation", "(3,4)");
        assertMentions(message(() -> small.diagonal()), "diagonal", "square", "(3,4)");
        assertMentions(message(() -> small.squeeze(0)), "squeeze", "size 3");
        assertMentions(message(() -> Tensor.concat(0, small, Tensor.randn(8, 3, 5))), "concat", "(3,4)", "(3,5)", "outside dim 0");
        assertMentions(message(() -> Tensor.stack(0, small, Tensor.randn(8, 4, 3))), "stack", "(3,4)", "(4,3)");
        assertMentions(message(() -> Tensor.fromArray(new double[]{1, 2, 3}, 2, 2)), "3 values", "(2,2)");
        assertMentions(message(() -> small.item()), "item", "(3,4)");
        assertMentions(message(() -> small.get(3, 0)), "get", "outside (3,4)");
    }

    @Test void gradWithWronglyShapedCotangents() {
        Tensor xs = Tensor.randn(3, 8, 3).requiresGrad();
        Tensor y = xs.sin();
        String batched = message(() -> Autograd.vjp(y, xs, Tensor.ones(2, 8, 4), true));
        assertMentions(batched, "grad: grad output 0 has shape (2,8,4)", "output 0 has shape (8,3)", "batched=true", "(B, 8,3)");
        String plain = message(() -> Autograd.vjp(y, xs, Tensor.ones(3, 8, 3), false));
        assertMentions(plain, "(3,8,3)", "(8,3)", "pass batched=true");
        assertMentions(message(() -> Autograd.jvp(y, xs, Tensor.ones(8, 4), false)), "jvp: tangent 0 has shape (8,4)", "(8,3)");
        assertMentions(message(() -> Autograd.grad(new Tensor[]{y, y}, new Tensor[]{xs},
                new Tensor[]{Tensor.ones(2, 8, 3), Tensor.ones(3, 8, 3)}, Autograd.Options.defaults().batched(true))), "disagree on the batch size", "2 vs 3");
        assertMentions(message(() -> Autograd.vjp(Tensor.ones(8, 3), xs, Tensor.ones(8, 3), false)), "was not recorded");
        assertMentions(message(() -> y.backward()), "backward", "(8,3)", "not a scalar");
        assertMentions(message(() -> y.backward(Tensor.ones(3, 8))), "backward", "(3,8)", "(8,3)");
    }
}
