package io.prognos.lstm;

import io.prognos.api.InMemoryModelStore;
import io.prognos.api.ModelInfo;
import io.prognos.api.ModelStore;
import io.prognos.api.SensorId;
import io.prognos.api.StoredModel;
import java.util.List;
import java.util.Optional;

/** An in-memory store whose save a test can intercept (to fail it, or to hold it). */
class ForwardingModelStore implements ModelStore {

    final InMemoryModelStore backing;

    ForwardingModelStore() {
        this(new InMemoryModelStore());
    }

    /** Over {@code backing}, which another plugin may use directly: a store two hosts share. */
    ForwardingModelStore(InMemoryModelStore backing) {
        this.backing = backing;
    }

    @Override
    public void save(StoredModel model) {
        backing.save(model);
    }

    @Override
    public Optional<StoredModel> load(SensorId sensor) {
        return backing.load(sensor);
    }

    @Override
    public Optional<ModelInfo> info(SensorId sensor) {
        return backing.info(sensor);
    }

    @Override
    public List<ModelInfo> list() {
        return backing.list();
    }

    @Override
    public boolean delete(SensorId sensor) {
        return backing.delete(sensor);
    }

    @Override
    public Watch watch(ChangeListener listener) {
        return backing.watch(listener);
    }
}
