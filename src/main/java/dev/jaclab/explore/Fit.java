package dev.jaclab.explore;

/**
 * A power law y = a·N^k fitted by least squares on log y against log N, used to extrapolate time and memory from the
 * measured sizes to a target N. With a single point the exponent is assumed ({@code assumed} is true).
 *
 * <pre>{@code
 * Fit f = Fit.powerLaw(new double[]{256, 1024}, new double[]{10, 160}, 1);
 * f.exponent();          // 2.0
 * f.at(4096);            // 2560
 * }</pre>
 */
public record Fit(double exponent, double logCoefficient, int points, boolean assumed) {
    /** Fits positive points; non-positive y are skipped. {@code defaultExponent} is used with fewer than two points. */
    public static Fit powerLaw(double[] n, double[] y, double defaultExponent) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        int c = 0;
        double lastX = 0, lastY = 0;
        for (int i = 0; i < n.length; i++) {
            if (!(y[i] > 0) || !(n[i] > 0) || Double.isInfinite(y[i])) continue;
            double lx = Math.log(n[i]), ly = Math.log(y[i]);
            sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly;
            lastX = lx; lastY = ly;
            c++;
        }
        if (c == 0) return new Fit(Double.NaN, Double.NaN, 0, true);
        double den = c * sxx - sx * sx;
        if (c == 1 || Math.abs(den) < 1e-12) return new Fit(defaultExponent, lastY - defaultExponent * lastX, c, true);
        double k = (c * sxy - sx * sy) / den;
        return new Fit(k, (sy - k * sx) / c, c, false);
    }

    /** The fitted value at N (NaN when nothing was fitted). */
    /** The power law through two points (for drawing a prediction between them); NaN values give a NaN fit. */
    public static Fit through(double n1, double y1, double n2, double y2) {
        if (!(y1 > 0) || !(y2 > 0) || n1 == n2) {
            double v = y2 > 0 ? Math.log(y2) : Double.NaN;
            return new Fit(0, v, 1, true);
        }
        double e = Math.log(y2 / y1) / Math.log(n2 / n1);
        return new Fit(e, Math.log(y2) - e * Math.log(n2), 2, false);
    }

    public double at(double samples) { return Math.exp(logCoefficient + exponent * Math.log(samples)); }

    @Override public String toString() {
        return points == 0 ? "no fit" : String.format("∝ N^%.2f%s", exponent, assumed ? " (assumed)" : "");
    }
}
