package dev.jaclab.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Checks a standalone master URL before Spark spends a minute retrying it. */
final class Masters {
    private Masters() {}

    static void checkReachable(String master) {
        if (master.startsWith("local")) {
            if (!master.matches("local(\\[(\\*|[1-9][0-9]*)(,[0-9]+)?\\])?"))
                throw new IllegalArgumentException("bad master '" + master + "' (local, local[*], local[K] or spark://HOST:PORT)");
            return;
        }
        if (!master.startsWith("spark://")) throw new IllegalArgumentException("bad master '" + master + "' (local[*], local[K] or spark://HOST:PORT)");
        String why = null;
        for (String hp : master.substring("spark://".length()).split(",")) {
            int c = hp.lastIndexOf(':');
            if (c < 1) throw new IllegalArgumentException("bad master '" + master + "': '" + hp + "' has no port (spark://HOST:PORT)");
            int port;
            try {
                port = Integer.parseInt(hp.substring(c + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad master '" + master + "': port '" + hp.substring(c + 1) + "' is not a number");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(hp.substring(0, c), port), 5000);
                return;
            } catch (IOException e) {
                why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
        }
        throw new IllegalArgumentException("cannot reach the Spark master at " + master + " (" + why + ")");
    }
}
