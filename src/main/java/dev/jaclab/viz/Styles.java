package dev.jaclab.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;
import java.util.Map;

/**
 * One look per strategy in every chart: a fixed colour from the Okabe–Ito palette (distinct hues, safe for
 * colour-blind readers) and a fixed marker shape, looked up by the strategy's family name ("sparseRows(64)" and
 * "sparseRows(16)" share sparseRows' colour; a variant's parameters change the marker).
 */
final class Styles {
    private Styles() {}

    static final Color ORANGE = new Color(0xE69F00), SKY = new Color(0x56B4E9), GREEN = new Color(0x009E73),
            YELLOW = new Color(0xC9B800), BLUE = new Color(0x0072B2), VERMILLION = new Color(0xD55E00),
            PURPLE = new Color(0xCC79A7), BLACK = new Color(0x222222), GREY = new Color(0x888888);

    private static final Map<String, Color> FAMILY = Map.ofEntries(
            Map.entry("reversesum", ORANGE), Map.entry("forwardsum", SKY), Map.entry("colored", GREEN),
            Map.entry("sparserows", BLUE), Map.entry("chunked", PURPLE), Map.entry("fullbatched", VERMILLION),
            Map.entry("meetinmiddle", BLACK), Map.entry("vmapjacrev", YELLOW), Map.entry("perelement", GREY),
            Map.entry("stochastic", new Color(0x7F3C8D)), Map.entry("detached", new Color(0x8C510A)), Map.entry("auto", GREY));
    private static final Color[] OTHERS = {ORANGE, SKY, GREEN, BLUE, PURPLE, VERMILLION, BLACK, YELLOW};

    static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[]{6f, 4f}, 0f);
    static final BasicStroke SOLID = new BasicStroke(1.6f);

    /** The strategy family of a label: "sparseRows(64) (unchecked)" → "sparserows". */
    static String family(String label) {
        String s = label.strip();
        int cut = s.length();
        for (char c : new char[]{'(', ' ', '['}) {
            int i = s.indexOf(c);
            if (i > 0) cut = Math.min(cut, i);
        }
        return s.substring(0, cut).toLowerCase(Locale.ROOT);
    }

    /** The colour of a strategy (by family); other names get a palette colour by their position {@code index}. */
    static Color color(String label, int index) {
        Color c = FAMILY.get(family(label));
        return c != null ? c : OTHERS[Math.floorMod(index, OTHERS.length)];
    }

    /** Marker shapes: circle, square, up-triangle, diamond, down-triangle, wide square. */
    static Shape shape(int i) {
        double s = 7, h = s / 2;
        return switch (Math.floorMod(i, 6)) {
            case 0 -> new Ellipse2D.Double(-h, -h, s, s);
            case 1 -> new Rectangle2D.Double(-h + 0.5, -h + 0.5, s - 1, s - 1);
            case 2 -> poly(0, -h, h, h, -h, h);
            case 3 -> poly(0, -h - 0.5, h + 0.5, 0, 0, h + 0.5, -h - 0.5, 0);
            case 4 -> poly(-h, -h, h, -h, 0, h);
            default -> new Rectangle2D.Double(-h - 1, -h + 1.5, s + 2, s - 3);
        };
    }

    private static Shape poly(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) p.lineTo(xy[i], xy[i + 1]);
        p.closePath();
        return p;
    }

    /** Sequential shades of one hue, light to dark, for an ordered series such as batch sizes. */
    static Color shade(int i, int count) {
        Color light = new Color(0x9ECAE1), dark = new Color(0x08306B);
        double t = count <= 1 ? 1 : (double) i / (count - 1);
        return new Color((int) Math.round(light.getRed() + t * (dark.getRed() - light.getRed())),
                (int) Math.round(light.getGreen() + t * (dark.getGreen() - light.getGreen())),
                (int) Math.round(light.getBlue() + t * (dark.getBlue() - light.getBlue())));
    }
}
