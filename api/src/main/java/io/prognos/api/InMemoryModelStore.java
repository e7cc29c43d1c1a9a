package io.prognos.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link ModelStore} for tests and hosts that do not persist models. Its {@link #watch} tells
 * every watcher of each save and delete, in the writer's thread, as a shared database tells every
 * host.
 */
public final class InMemoryModelStore implements ModelStore {

    private final ConcurrentMap<SensorId, StoredModel> models = new ConcurrentHashMap<>();
    private final List<ChangeListener> watchers = new CopyOnWriteArrayList<>();

    @Override
    public void save(StoredModel model) {
        models.put(model.sensor(), model);
        watchers.forEach(w -> w.changed(model.sensor(), model.info().modelVersion()));
    }

    @Override
    public Optional<StoredModel> load(SensorId sensor) {
        return Optional.ofNullable(models.get(sensor));
    }

    @Override
    public List<ModelInfo> list() {
        List<ModelInfo> infos = new ArrayList<>();
        models.values().forEach(m -> infos.add(m.info()));
        infos.sort((a, b) -> a.sensor().compareTo(b.sensor()));
        return infos;
    }

    @Override
    public boolean delete(SensorId sensor) {
        boolean deleted = models.remove(sensor) != null;
        if (deleted) {
            watchers.forEach(w -> w.changed(sensor, null));
        }
        return deleted;
    }

    @Override
    public Watch watch(ChangeListener listener) {
        watchers.add(listener);
        return () -> watchers.remove(listener);
    }
}
