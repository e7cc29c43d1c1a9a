package io.prognos.host.rest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether the client of a request has closed its connection, read from the kernel's socket table
 * ({@code /proc/net/tcp} and {@code tcp6} on Linux). The JDK's HTTP server gives a handler no sign
 * of a client that went away, and writing to find out would commit the response's status before
 * the result is known; the kernel knows without a write: a connection whose peer closed it is in
 * CLOSE_WAIT on this side.
 *
 * <p>Where there is no such table (not Linux), or the connection is not in it, the answer is
 * "unknown" and the request runs to its end: a wrong "closed" would cancel a training someone waits for.
 */
final class ClientConnections {

    /** TCP states of the kernel's table (include/net/tcp_states.h) in which the peer has closed. */
    private static final List<String> PEER_CLOSED = List.of("08", "07"); // CLOSE_WAIT, CLOSE

    private final List<Path> tables;

    ClientConnections(List<Path> tables) {
        this.tables = tables;
    }

    /** The Linux tables. */
    static ClientConnections kernel() {
        return new ClientConnections(List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6")));
    }

    /**
     * True when the connection from {@code client} to {@code server} (as this side sees them) has
     * been closed by the client; false when it is open; empty when this machine cannot tell.
     */
    Optional<Boolean> closedByClient(InetSocketAddress server, InetSocketAddress client) {
        for (Path table : tables) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length > 3 && matches(f[1], server) && matches(f[2], client)) {
                    return Optional.of(PEER_CLOSED.contains(f[3]));
                }
            }
        }
        return Optional.empty();
    }

    /** {@code 0100007F:1F90} (IPv4) or 32 hex digits and a port (IPv6), each 32-bit word in host order. */
    static boolean matches(String entry, InetSocketAddress address) {
        int colon = entry.indexOf(':');
        if (colon < 0 || Integer.parseInt(entry.substring(colon + 1), 16) != address.getPort()) {
            return false;
        }
        byte[] bytes = hostOrderWords(entry.substring(0, colon));
        return bytes != null && sameHost(bytes, address.getAddress());
    }

    private static byte[] hostOrderWords(String hex) {
        if (hex.length() != 8 && hex.length() != 32) {
            return null;
        }
        byte[] out = new byte[hex.length() / 2];
        for (int word = 0; word < out.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int at = word * 8 + (3 - b) * 2; // little-endian words, as x86 and ARM Linux write them
                out[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return out;
    }

    /** An IPv4 client of a dual-stack server shows as {@code ::ffff:a.b.c.d} in tcp6. */
    private static boolean sameHost(byte[] entry, InetAddress address) {
        byte[] want = address.getAddress();
        if (entry.length == want.length) {
            return Arrays.equals(entry, want);
        }
        byte[] v4 = entry.length == 16 ? entry : want;
        byte[] other = entry.length == 16 ? want : entry;
        try {
            InetAddress mapped = InetAddress.getByAddress(v4);
            return Arrays.equals(mapped.getAddress(), other);
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
