package io.prognos.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * Why Kafka did not answer, as far as a plain TCP connect to the bootstrap addresses tells: the
 * Kafka clients only time out ("Timed out waiting for a node assignment", after a minute by
 * default) and leave the cause in a warning per retry. Asked once, when the start has already
 * failed.
 */
final class BootstrapProbe {

    /** How long one address may take to accept a connection. */
    static final int CONNECT_TIMEOUT_MS = 2_000;

    private BootstrapProbe() {}

    /** One phrase per address of {@code bootstrap} ({@code host:port,host:port}), joined by "; ". */
    static String describe(String bootstrap) {
        List<String> out = new ArrayList<>();
        for (String raw : bootstrap.split(",")) {
            String address = raw.trim();
            if (!address.isEmpty()) {
                out.add(describeOne(address.contains("://") ? address.substring(address.indexOf("://") + 3) : address));
            }
        }
        return String.join("; ", out);
    }

    private static String describeOne(String address) {
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65_535) {
            return address + " is not host:port";
        }
        String host = address.substring(0, colon);
        InetSocketAddress target = new InetSocketAddress(host, port);
        if (target.isUnresolved()) {
            return host + " is not a known host name";
        }
        try (Socket s = new Socket()) {
            s.connect(target, CONNECT_TIMEOUT_MS);
            return address + " takes TCP connections, yet Kafka's protocol got no answer there: its listener may"
                    + " want TLS or SASL (kafka.client-properties), advertise an address this host cannot reach, or be no"
                    + " Kafka broker";
        } catch (ConnectException e) {
            return address + " refused the connection (nothing listening there?)";
        } catch (SocketTimeoutException e) {
            return address + " did not answer a connect within " + CONNECT_TIMEOUT_MS / 1000 + " s";
        } catch (IOException e) {
            return address + ": " + e.getMessage();
        }
    }
}
