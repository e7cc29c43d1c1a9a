package io.prognos.lstm.samediff;

import io.prognos.lstm.NetworkShape;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Reuses SameDiff graphs across models of the same shape. A graph holds native buffers for its
 * weights, gradients and optimiser state; building one per training made the process grow with
 * every model, so graphs are borrowed, re-initialised in place, and returned.
 */
final class NetworkPool implements AutoCloseable {

    private final double learningRate;
    private final Map<NetworkShape, Deque<LstmNetwork>> idle = new HashMap<>();
    private boolean closed;

    NetworkPool(double learningRate) {
        this.learningRate = learningRate;
    }

    synchronized LstmNetwork borrow(NetworkShape shape) {
        if (closed) {
            throw new IllegalStateException("the plugin is stopped");
        }
        Deque<LstmNetwork> q = idle.get(shape);
        LstmNetwork n = q == null ? null : q.pollFirst();
        return n != null ? n : new LstmNetwork(shape, learningRate);
    }

    synchronized void giveBack(LstmNetwork network) {
        if (closed) {
            network.close();
            return;
        }
        idle.computeIfAbsent(network.shape(), s -> new ArrayDeque<>()).addFirst(network);
    }

    @Override
    public synchronized void close() {
        closed = true;
        idle.values().forEach(q -> q.forEach(LstmNetwork::close));
        idle.clear();
    }
}
