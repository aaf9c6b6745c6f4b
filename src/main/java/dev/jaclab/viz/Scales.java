package dev.jaclab.viz;

import java.awt.Color;
import java.awt.Paint;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;

/** Paint scales: sequential (white → blue) and diverging (blue → white → red) with a legend. */
final class Scales {
    private Scales() {}

    static final Color LOW = new Color(0x2166AC), MID = new Color(0xF7F7F7), HIGH = new Color(0xB2182B);

    /** Linear interpolation between colours over [lo, hi]. */
    record Ramp(double lo, double hi, Color... stops) implements PaintScale {
        @Override public double getLowerBound() { return lo; }
        @Override public double getUpperBound() { return hi; }
        @Override public Paint getPaint(double v) {
            double t = hi == lo ? 0.5 : Math.max(0, Math.min(1, (v - lo) / (hi - lo)));
            double pos = t * (stops.length - 1);
            int i = Math.min(stops.length - 2, (int) pos);
            double f = pos - i;
            Color a = stops[i], b = stops[i + 1];
            return new Color((int) Math.round(a.getRed() + f * (b.getRed() - a.getRed())),
                    (int) Math.round(a.getGreen() + f * (b.getGreen() - a.getGreen())), (int) Math.round(a.getBlue() + f * (b.getBlue() - a.getBlue())));
        }
    }

    static PaintScale sequential(double hi) { return new Ramp(0, hi <= 0 ? 1 : hi, MID, LOW); }

    static PaintScale diverging(double absMax) {
        double a = absMax <= 0 ? 1 : absMax;
        return new Ramp(-a, a, LOW, MID, HIGH);
    }

    static PaintScaleLegend legend(PaintScale s, String label) {
        NumberAxis axis = new NumberAxis(label);
        axis.setRange(s.getLowerBound(), s.getUpperBound());
        PaintScaleLegend l = new PaintScaleLegend(s, axis);
        l.setPosition(RectangleEdge.RIGHT);
        l.setStripWidth(12);
        l.setMargin(4, 4, 4, 4);
        return l;
    }
}
