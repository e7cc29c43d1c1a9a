package io.prognos.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link ModelStore} for tests and hosts that do not persist models. */
public final class InMemoryModelStore implements ModelStore {

    private final ConcurrentMap<SensorId, StoredModel> models = new ConcurrentHashMap<>();

    @Override
    public void save(StoredModel model) {
        models.put(model.sensor(), model);
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
        return models.remove(sensor) != null;
    }
}
