package dev.jaclab.jacobian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jaclab.explore.Models;
import dev.jaclab.nd.DType;
import dev.jaclab.nd.NdArray;
import dev.jaclab.tensor.Scope;
import dev.jaclab.tensor.Tensor;
import dev.jaclab.tensor.Work;
import dev.jaclab.tensor.WorkMeter;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sum strategies' diagonal route (every op between x and y positionwise: one sweep of ones, then diagEmbed) and
 * their cached seeds: blocks equal to the basis sweep exactly and to finite differences, the route really taken (no
 * strided copy, one vector), the tape flag from the primitives' rules, the seeds shared across calls and scopes.
 */
class DiagonalBlocksTest {
    private DType saved;

    @BeforeEach void float64() { saved = Tensor.defaultDType(); Tensor.setDefaultDType(DType.FLOAT64); }

    @AfterEach void restore() { Tensor.setDefaultDType(saved); }

    private static Problem problem(UnaryOperator<Tensor> f, Tensor x) {
        Tensor xi = x.detach().requiresGrad();
        return Jacobian.of(f.apply(xi), xi).parallelism(1).problem();
    }

    private static final List<UnaryOperator<Tensor>> POSITIONWISE = List.of(
            Tensor::sin,
            v -> v.sin().mul(1.5).add(0.25).tanh().exp().sub(1.0),
            v -> v.mul(v).sin().add(v).tanh().neg(),
            v -> v.exp().div(v.cos().add(2.0)).cast(DType.FLOAT32).cast(DType.FLOAT64));

    @Test void theTapeSaysWhenBlocksAreDiagonal() {
        Tensor x = Tensor.randn(1, 6, 3), w = Tensor.randn(2, 3, 3), row = Tensor.randn(3, 1, 3);
        for (UnaryOperator<Tensor> f : POSITIONWISE) assertTrue(problem(f, x).structure().diagonal());
        assertTrue(problem(v -> v.mul(row).sin(), x).structure().diagonal(), "a constant broadcast operand moves nothing");
        assertFalse(problem(v -> v.matmul(w).sin(), x).structure().diagonal(), "matmul mixes the features");
        assertFalse(problem(v -> v.sin().add(v.sum(new int[]{1}, true)), x).structure().diagonal(), "a broadcast x-dependent operand");
        assertFalse(problem(v -> v.narrow(1, 0, 2).sin(), x).structure().diagonal(), "y and x differ in shape");
        assertFalse(problem(v -> v.sin().mul(v.narrow(0, 0, 1)), x).structure().diagonal(), "samples coupled");
        assertFalse(CostModelWorkTest.problem(Models.mlp(1), 6, false).structure().diagonal(), "the MLP");
    }

    /** Exactly the basis sweep's blocks (ones times a derivative is the derivative), and finite differences. */
    @Test void diagonalRouteEqualsTheBasisSweepExactly() {
        Tensor x = Tensor.randn(4, 7, 3);
        for (int k = 0; k < POSITIONWISE.size(); k++) {
            Problem p = problem(POSITIONWISE.get(k), x);
            Tensor reverse = Strategies.reverseSum().run(p), forward = Strategies.forwardSum().run(p);
            Tensor basisReverse = ReverseSum.sampleMajor(p).permute(1, 0, 2), basisForward = ForwardSum.sampleMajor(p).permute(1, 2, 0);
            assertArrayEquals(new long[]{7, 3, 3}, reverse.shape());
            assertEquals(0, reverse.maxAbsDiff(basisReverse), "function " + k);
            assertEquals(0, forward.maxAbsDiff(basisForward), "function " + k);
            assertTrue(reverse.maxAbsDiff(Strategies.perElement().run(p)) < 1e-14, "function " + k);
        }
        UnaryOperator<Tensor> f = POSITIONWISE.get(1);                       // columns of J by central differences
        Tensor xi = x.detach().requiresGrad(), J = Jacobian.of(f.apply(xi), xi).perSample(Strategies.forwardSum());
        double h = 1e-6;
        for (int a = 0; a < 3; a++) {
            double[] e = new double[3];
            e[a] = h;
            Tensor step = Tensor.of(new double[][]{e});
            Tensor fd = f.apply(x.add(step)).sub(f.apply(x.sub(step))).div(2 * h);          // (N, 3): column a of every block
            for (int i = 0; i < 7; i++) for (int b = 0; b < 3; b++) assertEquals(fd.get(i, b), J.get(i, b, a), 1e-7, "J[" + i + "][" + b + "][" + a + "]");
        }
    }

    /** One vector and no strided copy, predicted and counted alike; the MLP keeps the basis sweep and its permuted copy. */
    @Test void theRouteIsOneVectorWithoutAPermutedCopy() {
        Problem sin = problem(Tensor::sin, Tensor.randn(5, 40, 3)), mlp = CostModelWorkTest.problem(Models.mlp(1), 40, false);
        for (Strategy s : List.of(Strategies.reverseSum(), Strategies.forwardSum())) {
            Cost c = s.cost(sin);
            assertEquals(1, c.reverseVectors() + c.forwardVectors(), s.name());
            Work counted;
            try (WorkMeter meter = WorkMeter.open()) {
                s.run(sin);
                counted = meter.work();
            }
            assertEquals(0, counted.strided(), s.name());
            assertEquals(40 * 3, counted.transcendental(), s.name() + ": cos once, the ones not multiplied out three times");
            assertTrue(s.work(sin).closeTo(counted, 1e-12), s.name());
            assertEquals(3, s.cost(mlp).reverseVectors() + s.cost(mlp).forwardVectors(), s.name());
        }
    }

    /**
     * Off-diagonal entries are exact zeros even where the derivative is infinite (log at 0: the basis sweep's 0·inf is
     * NaN there), whole-batch and a block of rows at a time (rowBlocks takes the same route).
     */
    @Test void offDiagonalEntriesStayZeroWhereTheDerivativeIsInfinite() {
        Tensor x = Tensor.of(new double[][]{{0, 1, 2}, {3, 0, 5}, {6, 7, 8}, {0.5, 0, 1}, {1, 1, 0}});
        Tensor xi = x.detach().requiresGrad();
        Tensor whole = Jacobian.of(xi.log(), xi).perSample(Strategies.reverseSum()), blocks = Jacobian.of(Tensor::log, x).perSample(Strategies.rowBlocks(2));
        for (Tensor J : List.of(whole, blocks))
            for (int i = 0; i < 5; i++)
                for (int a = 0; a < 3; a++)
                    for (int b = 0; b < 3; b++) {
                        double want = a != b ? 0 : x.get(i, a) == 0 ? Double.POSITIVE_INFINITY : 1 / x.get(i, a);
                        assertEquals(want, J.get(i, a, b), 1e-15, "J[" + i + "][" + a + "][" + b + "]");
                    }
    }

    /**
     * Given f, auto weighs what each strategy really does on a diagonal tape: vmapJacrev runs f again per sample (its
     * sweep alone looked cheaper than one VJP of ones), rowBlocks copies the laid-out blocks into their rows; so at
     * N = 2^20 a sum strategy is chosen, as measured (sin: 0.055 s against rowBlocks 0.10 s and vmapJacrev 0.17 s).
     */
    @Test void autoGivenTheFunctionWeighsTheDiagonalRouteAgainstWhatOthersRun() {
        Tensor x = Tensor.zeros(1 << 20, 3);
        Problem p = Jacobian.of((UnaryOperator<Tensor>) Tensor::sin, x).parallelism(1).problem();
        try (Rates.Fixed nominal = Rates.fix(Rates.NOMINAL)) {          // the same choice whatever this machine's calibration
            String chosen = Strategies.auto().choose(p).name();
            assertTrue(chosen.equals("forwardSum") || chosen.equals("reverseSum"), chosen);
        }
        assertTrue(Strategies.vmapJacrev().work(p).transcendental() > Strategies.reverseSum().work(p).transcendental(), "f again under vmap");
        assertEquals((double) (1 << 20) * 9, Strategies.rowBlocks().work(p).strided() - Strategies.reverseSum().work(p).strided(), "the rows' copy");
    }

    /** The basis is made once per dtype and shape, outside every scope: a scope's end neither frees nor reissues it. */
    @Test void seedsAreSharedAcrossCallsAndScopes() {
        Tensor first;
        try (Scope scope = Tensor.scope()) {
            first = SumSeeds.basis(DType.FLOAT64, 3, 11);
        }
        try (Scope scope = Tensor.scope()) {
            Tensor.zeros(DType.FLOAT64, 3, 11, 3).add(1.0);             // would take a freed buffer of that shape from the pool
        }
        Tensor again = SumSeeds.basis(DType.FLOAT64, 3, 11);
        assertSame(first.data(), again.data());
        assertFalse(again.data().isClosed());
        for (int k = 0; k < 3; k++)
            for (int i = 0; i < 11; i++)
                for (int j = 0; j < 3; j++) assertEquals(k == j ? 1.0 : 0.0, again.get(k, i, j));
        assertNotSame(first.data(), SumSeeds.basis(DType.FLOAT32, 3, 11).data());
    }

    @Test void diagEmbedFastPathMatchesItsDefinition() {
        for (DType t : DType.values()) {
            NdArray d = NdArray.random(t, 6, true, 2, 5, 4), e = d.diagEmbed();
            assertArrayEquals(new long[]{2, 5, 4, 4}, e.shape());
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 5; b++)
                    for (int i = 0; i < 4; i++)
                        for (int j = 0; j < 4; j++)
                            assertEquals(i == j ? d.getDouble(a, b, i) : 0.0, e.getDouble(a, b, i, j));
        }
    }
}
