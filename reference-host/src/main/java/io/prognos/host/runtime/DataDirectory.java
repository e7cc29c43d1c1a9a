package io.prognos.host.runtime;

import io.prognos.api.ConfigProblem;
import io.prognos.api.InvalidConfigurationException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's data directory ({@code prognos.data-dir}), made before anything is put in it: one that
 * cannot be is the operator's to mend, said in a line naming the key. Before, a file in its place
 * was told as "serve failed: FILE: null" and a directory another host holds as an
 * IllegalStateException with its stack trace.
 */
final class DataDirectory {

    private DataDirectory() {}

    static Path create(String value) {
        Path dir = Path.of(value);
        try {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            throw refused(value, "is a file, not a directory");
        } catch (NoSuchFileException e) {
            throw refused(value, "cannot be made there (" + e.getFile() + " cannot be created)");
        } catch (AccessDeniedException e) {
            throw refused(value, "cannot be made: permission denied (" + e.getFile() + ")");
        } catch (FileSystemException e) {
            throw refused(
                    value,
                    "cannot be made: "
                            + (e.getReason() != null
                                    ? e.getReason()
                                    : e.getClass().getSimpleName()) + " (" + e.getFile() + ")");
        } catch (IOException e) {
            throw refused(value, "cannot be made: " + e.getMessage());
        }
        if (!Files.isWritable(dir)) {
            throw refused(value, "is not writable by this user");
        }
        return dir;
    }

    static InvalidConfigurationException refused(String value, String why) {
        return new InvalidConfigurationException(
                "the host", List.of(new ConfigProblem("prognos.data-dir", value + " " + why)));
    }
}
