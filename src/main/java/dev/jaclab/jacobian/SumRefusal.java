package dev.jaclab.jacobian;

/** The shared check of the sum-type strategies: they are only valid when samples are independent. */
final class SumRefusal {
    private SumRefusal() {}

    static String check(String name, Problem p, boolean checked) {
        if (!checked) return null;
        Structure s = p.structure();
        if (s.independent()) return null;
        return name + " would return wrong blocks: " + s.explain()
                + ". Use an exact strategy for coupled samples (sparseRows, chunked, colored) or auto().";
    }
}
