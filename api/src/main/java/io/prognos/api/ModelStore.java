package io.prognos.api;

import java.util.List;
import java.util.Optional;

/**
 * Durable storage for models, provided by the host (for example a database table). The plugin
 * never reaches into the host's storage otherwise. Implementations must be thread-safe and make
 * {@link #save} atomic: a failed save leaves the previous model intact.
 *
 * <p>Methods throw {@link RetryLaterException} when the storage is unavailable.
 */
public interface ModelStore {

    void save(StoredModel model);

    Optional<StoredModel> load(SensorId sensor);

    /** Metadata of every stored model; cheap, does not read model bytes. */
    List<ModelInfo> list();

    /** @return true when a model was deleted */
    boolean delete(SensorId sensor);
}
