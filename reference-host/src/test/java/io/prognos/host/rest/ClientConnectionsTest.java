package io.prognos.host.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kernel's socket table as Linux writes it: which request's client has closed its connection. */
class ClientConnectionsTest {

    private static final String HEADER =
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
    private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 5002);

    @TempDir
    Path dir;

    private ClientConnections table(String... rows) throws Exception {
        Path tcp = dir.resolve("tcp");
        Files.write(
                tcp,
                java.util.stream.Stream.concat(java.util.stream.Stream.of(HEADER), java.util.stream.Stream.of(rows))
                        .toList());
        return new ClientConnections(List.of(tcp, dir.resolve("tcp6-missing")));
    }

    @Test
    void aClientThatClosedIsInCloseWaitOnTheServerSide() throws Exception {
        ClientConnections c = table(
                "   0: 0100007F:138A 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1",
                "   1: 0100007F:138A 0100007F:9C40 08 00000000:00000000 00:00000000 00000000 0 0 2 1",
                "   2: 0100007F:138A 0100007F:9C41 01 00000000:00000000 00:00000000 00000000 0 0 3 1");
        assertEquals(Optional.of(true), c.closedByClient(SERVER, new InetSocketAddress("127.0.0.1", 40000)));
        assertEquals(Optional.of(false), c.closedByClient(SERVER, new InetSocketAddress("127.0.0.1", 40001)));
        // Same port from another address, and a connection not in the table: unknown, so never cancelled.
        assertEquals(Optional.empty(), c.closedByClient(SERVER, new InetSocketAddress("10.0.0.1", 40000)));
        assertEquals(Optional.empty(), c.closedByClient(SERVER, new InetSocketAddress("127.0.0.1", 40002)));
    }

    @Test
    void anIpv4ClientOfADualStackServerShowsMappedInTcp6() throws Exception {
        ClientConnections c = table(
                "   0: 0000000000000000FFFF00000100007F:138A 0000000000000000FFFF00000100007F:9C40 08 0 0 0 0 0 0 0");
        assertEquals(Optional.of(true), c.closedByClient(SERVER, new InetSocketAddress("127.0.0.1", 40000)));
    }

    @Test
    void withoutATableNothingIsKnown() {
        ClientConnections none = new ClientConnections(List.of(dir.resolve("no-such-table")));
        assertEquals(Optional.empty(), none.closedByClient(SERVER, new InetSocketAddress("127.0.0.1", 40000)));
    }
}
