// Draws kernel/logo-32x32.png and logo-64x64.png: java -Djava.awt.headless=true kernel/MakeLogos.java kernel
import java.awt.*;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;

public class MakeLogos {
    public static void main(String[] a) throws Exception {
        for (int size : new int[]{32, 64}) {
            BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(0xE76F00));
            g.fillRoundRect(0, 0, size, size, size / 4, size / 4);
            g.setColor(new Color(0x1F4E79));
            int cell = size / 8;
            for (int i = 0; i < 3; i++) g.fillRect(size - (i + 2) * cell, (i + 1) * cell, cell, cell);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, (int) (size * 0.5)));
            FontMetrics fm = g.getFontMetrics();
            String t = "J";
            g.drawString(t, size / 5, size - size / 5);
            g.setFont(new Font(Font.SERIF, Font.ITALIC | Font.BOLD, (int) (size * 0.42)));
            g.drawString("\u2202", size / 2, size - size / 6);
            g.dispose();
            ImageIO.write(img, "png", new File(a[0] + "/logo-" + size + "x" + size + ".png"));
        }
    }
}
