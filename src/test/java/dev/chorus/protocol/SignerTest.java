package dev.chorus.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SignerTest {
    private final Signer signer = new Signer("app-secret");

    @Test
    void privateChannelSignatureMatchesReverbsVector() {
        assertEquals("c53bc505cb3d68dc9905dea8d5ed3c42f9e24aeed9453b7b9b200ff759958c02",
                signer.sign("123.456:private-foo"));
    }

    @Test
    void presenceChannelSignatureCoversTheExactChannelData() {
        String data = "{\"user_id\":\"1\",\"user_info\":{\"name\":\"Ann\"}}";
        assertEquals("6b926c068f9353e946978df2c889565070693516c95a495e75e51f5f083753be",
                signer.sign("123.456:presence-room:" + data));
        assertTrue(signer.verifyChannelAuth("app-key", "123.456", "presence-room", data,
                "app-key:6b926c068f9353e946978df2c889565070693516c95a495e75e51f5f083753be"));
        assertFalse(signer.verifyChannelAuth("app-key", "123.456", "presence-room", data.replace("Ann", "Bob"),
                "app-key:6b926c068f9353e946978df2c889565070693516c95a495e75e51f5f083753be"));
    }

    @Test
    void keyPartOfTheAuthMustBeTheAppKey() {
        String sig = "c53bc505cb3d68dc9905dea8d5ed3c42f9e24aeed9453b7b9b200ff759958c02";
        assertTrue(signer.verifyChannelAuth("app-key", "123.456", "private-foo", null, "app-key:" + sig));
        assertFalse(signer.verifyChannelAuth("app-key", "123.456", "private-foo", null, "other:" + sig));
        assertFalse(signer.verifyChannelAuth("app-key", "123.456", "private-foo", null, sig));
        assertFalse(signer.verifyChannelAuth("app-key", "123.456", "private-foo", null, null));
        assertFalse(signer.verifyChannelAuth("app-key", "123.456", "private-foo", null, "app-key:"));
    }

    @Test
    void userAuthenticationSignsSocketIdUserAndData() {
        String data = "{\"id\":\"42\"}";
        String auth = signer.userAuth("app-key", "1.2", data);
        assertEquals("app-key:" + signer.sign("1.2::user::" + data), auth);
        assertTrue(signer.verifyUserAuth("app-key", "1.2", data, auth));
        assertFalse(signer.verifyUserAuth("app-key", "1.3", data, auth));
    }
}
