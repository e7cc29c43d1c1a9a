package io.prognos.host.core;

import io.prognos.api.ModelInfo;
import java.time.Instant;
import java.util.Optional;

/**
 * Why a sensor's last training failed, and the model it left in place, for the sensor's view. A
 * failed retraining (a scheduled one that ran out of heap, say) leaves the sensor served by its
 * older model, which was told in the log only: the view showed a reason only while the sensor had
 * no model.
 *
 * @param message  the plugin's or the host's reason
 * @param replaced when the model in place at the failure was trained; null when there was none
 */
public record TrainingFailure(String message, Instant replaced) {

    /** The failure of a training of a sensor whose model, when it failed, was {@code inPlace}. */
    public static TrainingFailure of(Exception e, Optional<ModelInfo> inPlace) {
        return new TrainingFailure(
                e.getMessage(), inPlace.map(ModelInfo::trainedAt).orElse(null));
    }

    /**
     * Whether it still says why the sensor is served as it is, with {@code now} its model: it has
     * none, or still the one the failed training was to replace. A model trained since (a train
     * request, another host sharing the store) makes it moot.
     */
    public boolean standsWith(Optional<ModelInfo> now) {
        return now.isEmpty() || now.get().trainedAt().equals(replaced);
    }
}
