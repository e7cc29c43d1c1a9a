package io.prognos.host.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Generated passwords: hex from {@link SecureRandom}, kept (when kept) in files only the owner reads. */
final class Secrets {

    private Secrets() {}

    /** 48 hex digits: nothing in it needs quoting in SQL, URLs or shells. */
    static String random() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** The password in {@code file}; a new one written there (mode 0600) when the file does not exist. */
    static String readOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        }
        String pw = random();
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, pw + "\n", StandardCharsets.UTF_8);
        return pw;
    }
}
