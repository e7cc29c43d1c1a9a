package io.prognos.evaluation.forecast;

import io.prognos.evaluation.data.LabelledWindows;
import io.prognos.evaluation.data.Resampled;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A PNG of the test part: actuals, one-step forecasts with their interval band, labelled windows
 * shaded, and alert starts marked. Drawn with the JDK alone (headless).
 */
public final class EvaluationPlot {

    private static final int W = 1600;
    private static final int H = 600;
    private static final int PAD = 60;

    private EvaluationPlot() {}

    public static void write(
            Path file, String title, Resampled series, Backtester.Result r, List<LabelledWindows.Window> windows)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        long t0 = r.testStart().toEpochMilli();
        long t1 = Math.max(t0 + 1, r.testEnd().toEpochMilli());
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < series.values().length; i++) {
            double v = series.values()[i];
            if (!Double.isNaN(v) && !series.time(i).isBefore(r.testStart())) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        for (Backtester.OriginPoint p : r.points()) {
            lo = Math.min(lo, p.lower());
            hi = Math.max(hi, p.upper());
        }
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        Scale s = new Scale(t0, t1, lo, hi);

        g.setColor(new Color(255, 220, 170));
        for (LabelledWindows.Window w : windows) {
            int x0 = s.x(Math.max(t0, w.start().toEpochMilli()));
            int x1 = s.x(Math.min(t1, w.end().toEpochMilli()));
            if (x1 > x0) {
                g.fillRect(x0, PAD, x1 - x0, H - 2 * PAD);
            }
        }
        // One band and line per stretch without gaps: nothing is drawn across missing data.
        List<List<Backtester.OriginPoint>> stretches = new ArrayList<>();
        long maxStep = 2 * series.interval().toMillis();
        for (Backtester.OriginPoint p : r.points()) {
            if (stretches.isEmpty()
                    || p.target().toEpochMilli() - last(stretches).target().toEpochMilli() > maxStep) {
                stretches.add(new ArrayList<>());
            }
            stretches.get(stretches.size() - 1).add(p);
        }
        g.setColor(new Color(190, 210, 250));
        for (List<Backtester.OriginPoint> pts : stretches) {
            Path2D band = new Path2D.Double();
            band.moveTo(s.x(pts.get(0).target().toEpochMilli()), s.y(pts.get(0).upper()));
            for (Backtester.OriginPoint p : pts) {
                band.lineTo(s.x(p.target().toEpochMilli()), s.y(p.upper()));
            }
            for (int i = pts.size() - 1; i >= 0; i--) {
                band.lineTo(
                        s.x(pts.get(i).target().toEpochMilli()), s.y(pts.get(i).lower()));
            }
            band.closePath();
            g.fill(band);
        }
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        line(g, s, series, r.testStart());
        g.setColor(new Color(30, 80, 220));
        for (List<Backtester.OriginPoint> pts : stretches) {
            for (int i = 1; i < pts.size(); i++) {
                g.drawLine(
                        s.x(pts.get(i - 1).target().toEpochMilli()),
                        s.y(pts.get(i - 1).forecast()),
                        s.x(pts.get(i).target().toEpochMilli()),
                        s.y(pts.get(i).forecast()));
            }
        }
        g.setColor(Color.RED);
        for (Backtester.Assessment a : r.assessments()) {
            if (a.opened()) {
                int x = s.x(a.stampedAt().toEpochMilli());
                g.fillPolygon(new int[] {x - 6, x + 6, x}, new int[] {PAD - 14, PAD - 14, PAD - 2}, 3);
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(PAD, PAD, W - 2 * PAD, H - 2 * PAD);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        g.drawString(
                title + "  -  black: actual, blue: 1-step forecast with its interval band, orange:"
                        + " labelled windows, red: alert starts",
                PAD,
                24);
        g.drawString(String.format(Locale.ROOT, "%.3g", hi), 4, PAD + 5);
        g.drawString(String.format(Locale.ROOT, "%.3g", lo), 4, H - PAD);
        g.drawString(r.testStart().toString(), PAD, H - PAD + 20);
        String end = r.testEnd().toString();
        g.drawString(end, W - PAD - g.getFontMetrics().stringWidth(end), H - PAD + 20);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private static Backtester.OriginPoint last(List<List<Backtester.OriginPoint>> stretches) {
        List<Backtester.OriginPoint> l = stretches.get(stretches.size() - 1);
        return l.get(l.size() - 1);
    }

    private static void line(Graphics2D g, Scale s, Resampled series, Instant from) {
        int px = -1;
        int py = -1;
        for (int i = 0; i < series.values().length; i++) {
            double v = series.values()[i];
            if (series.time(i).isBefore(from) || Double.isNaN(v)) {
                px = -1;
                continue;
            }
            int x = s.x(series.time(i).toEpochMilli());
            int y = s.y(v);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
    }

    private record Scale(long t0, long t1, double lo, double hi) {
        int x(long t) {
            return PAD + (int) Math.round((double) (t - t0) / (t1 - t0) * (W - 2 * PAD));
        }

        int y(double v) {
            return H - PAD - (int) Math.round((v - lo) / (hi - lo) * (H - 2 * PAD));
        }
    }
}
