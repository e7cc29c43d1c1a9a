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

    /**
     * Metadata of one stored model without its bytes: what a plugin that was told of a change to
     * a model it does not hold needs to keep its list (a model is about 35 KB; on a fleet retrained
     * daily every host was told of about one change a second per 100,000 sensors). This default
     * reads the whole model; a store that can do better should.
     *
     * @since SPI 2.3
     */
    default Optional<ModelInfo> info(SensorId sensor) {
        return load(sensor).map(StoredModel::info);
    }

    /** @return true when a model was deleted */
    boolean delete(SensorId sensor);

    /**
     * Watches the store for models saved or deleted by anyone who shares it (another host on the
     * same database, an operator's SQL), this process included, so that a plugin holding models
     * in memory can let go of the ones that changed: without it, a host went on serving the model
     * it held after another host had trained the sensor again or deleted its model. The listener is
     * called on the store's thread or the writer's; it must be quick and must not throw. A store
     * nobody else writes to may keep this default, which tells nothing.
     *
     * @since SPI 2.2
     */
    default Watch watch(ChangeListener listener) {
        return () -> {};
    }

    /** What a {@link #watch} tells. */
    interface ChangeListener {

        /** The sensor's stored model was saved ({@code modelVersion} is its version) or deleted (null). */
        void changed(SensorId sensor, String modelVersion);

        /** Changes may have gone untold (the watch was lost for a while): any model held may be stale. */
        void changesMissed();
    }

    /** A running {@link #watch}; closing it stops the telling. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
