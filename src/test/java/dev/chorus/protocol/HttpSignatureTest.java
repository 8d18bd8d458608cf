package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSignatureTest {
    private static final Map<String, String> AUTH = Map.of("auth_key", "app-key", "auth_timestamp", "1700000000",
            "auth_version", "1.0");

    @Test
    void postSignatureMatchesReverbsVectorWithBodyMd5Recomputed() {
        byte[] body = "{\"name\":\"NewEvent\",\"channel\":\"test-channel\",\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals("6f2bc7101f3dd1b200be448074f61ddb", HttpSignature.md5Hex(body));
        java.util.HashMap<String, String> query = new java.util.HashMap<>(AUTH);
        query.put("body_md5", "forged");
        query.put("auth_signature", "ignored");
        String toSign = HttpSignature.stringToSign("POST", "/apps/123456/events", query, body);
        assertEquals("POST\n/apps/123456/events\nauth_key=app-key&auth_timestamp=1700000000&auth_version=1.0"
                + "&body_md5=6f2bc7101f3dd1b200be448074f61ddb", toSign);
        assertEquals("2eefb836504b541b89cf8300a425f67a8e7cb4b51e36e046343a71c7097f1132", new Signer("app-secret").sign(toSign));
    }

    @Test
    void getSignatureSortsEveryParameterAndHasNoBodyMd5() {
        java.util.HashMap<String, String> query = new java.util.HashMap<>(AUTH);
        query.put("info", "user_count");
        query.put("filter_by_prefix", "presence-");
        String toSign = HttpSignature.stringToSign("GET", "/apps/123456/channels", query, new byte[0]);
        assertEquals("9e8545747b6a301f343f9478318f39bdc5f1e7f0931f25452f105b4c8a4c29ed", new Signer("app-secret").sign(toSign));
    }
}
