package io.prognos.host.runtime;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Who may use the embedded broker and for what. Prognos's own client may publish and subscribe
 * anywhere; device clients (one configured user name and password) may publish readings and
 * requests only, and subscribe to anything; anyone else is refused at connect. Without it, any
 * local process published a fake critical alert, a retained fake schedule and a retained
 * {@code offline} status that subscribers then took for Prognos's.
 */
public record BrokerAccess(String prefix, Credentials host, Credentials device) {

    /** A user name and password; the password is never logged. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ****]";
        }

        boolean matches(String user, byte[] password) {
            return username.equals(user)
                    && password != null
                    && MessageDigest.isEqual(this.password.getBytes(StandardCharsets.UTF_8), password);
        }
    }

    /**
     * Topic filters device clients may publish to: every readings topic, so that one the adapter
     * cannot read (a level too many) reaches it and is refused on {@code prognos/errors} as {@code
     * bad_topic}; with only the two readings levels allowed, the broker refused it as not
     * authorized, which an MQTT 3.1.1 device is never told (its PUBACK has no reason code), and the
     * reading was lost without a word.
     */
    List<String> devicePublishFilters() {
        return List.of(prefix + "/readings/#", prefix + "/requests/+");
    }

    EmbeddedExtension extension() {
        return EmbeddedExtension.builder()
                .withId("prognos-access")
                .withName("Prognos broker access")
                .withVersion("1")
                .withPriority(1000)
                .withStartPriority(1000)
                .withAuthor("Prognos")
                .withExtensionMain(new Main())
                .build();
    }

    private final class Main implements ExtensionMain {
        @Override
        public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
            Authenticator authenticator = new Authenticator();
            Services.securityRegistry().setAuthenticatorProvider(provider -> authenticator);
        }

        @Override
        public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
    }

    private final class Authenticator implements SimpleAuthenticator {
        @Override
        public void onConnect(SimpleAuthInput in, SimpleAuthOutput out) {
            String user = in.getConnectPacket().getUserName().orElse(null);
            byte[] password = in.getConnectPacket()
                    .getPassword()
                    .map(Authenticator::bytes)
                    .orElse(null);
            var permissions = out.getDefaultPermissions();
            if (host.matches(user, password)) {
                permissions.add(allow("#", TopicPermission.MqttActivity.ALL));
            } else if (device.matches(user, password)) {
                for (String filter : devicePublishFilters()) {
                    permissions.add(allow(filter, TopicPermission.MqttActivity.PUBLISH));
                }
                permissions.add(allow("#", TopicPermission.MqttActivity.SUBSCRIBE));
            } else {
                out.failAuthentication(ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD, "bad user name or password");
                return;
            }
            permissions.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
            out.authenticateSuccessfully();
        }

        private static TopicPermission allow(String filter, TopicPermission.MqttActivity activity) {
            return Builders.topicPermission()
                    .topicFilter(filter)
                    .type(TopicPermission.PermissionType.ALLOW)
                    .activity(activity)
                    .build();
        }

        private static byte[] bytes(ByteBuffer b) {
            byte[] out = new byte[b.remaining()];
            b.duplicate().get(out);
            return out;
        }
    }
}
