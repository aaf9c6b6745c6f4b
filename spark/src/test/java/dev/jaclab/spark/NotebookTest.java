package dev.jaclab.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.kernel.JShellSession;
import org.junit.jupiter.api.Test;

/** The module from notebook cells (the kernel's JShell session): a run on local[2], and a cell-defined model refused. */
class NotebookTest {
    @Test void cellsRunSparkJacobianAndCellDefinedModelsAreRefusedWithTheReason() {
        JShellSession s = new JShellSession();
        try {
            s.eval("import dev.jaclab.spark.*;", 1);
            Object summary = s.eval("SparkJacobian.of(ModelSpec.builtIn(\"attention\")).samples(128).master(\"local[2]\").partitions(2).blocks().summary()", 2);
            assertTrue(String.valueOf(summary).contains("attention N=128: 2 partitions"), String.valueOf(summary));
            s.eval("class MyModel implements dev.jaclab.explore.Model { public String name() { return \"m\"; } "
                    + "public Tensor[] inputs(long n, long seed) { return new Tensor[]{Tensor.randn(seed, n, 3)}; } "
                    + "public Tensor[] forward(Tensor... in) { return in; } public boolean coupled() { return false; } }", 3);
            s.eval("String msg = \"accepted\";", 4);
            s.eval("try { ModelSpec.ofClass(MyModel.class); } catch (IllegalArgumentException ex) { msg = ex.getMessage(); }", 5);
            String msg = String.valueOf(s.eval("msg", 6));
            assertTrue(msg.contains("was defined in JShell") && msg.contains("cannot travel to Spark executors"), msg);
        } finally {
            s.close();
        }
    }
}
