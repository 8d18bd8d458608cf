package dev.chorus.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chorus.api.TriggerFastPath;
import org.junit.jupiter.api.Test;

class TriggerHandlerTest {
    @Test
    void readsTheAttributeTheWebAppPublishes() {
        // Spelled twice because the launcher must not depend on the web app's classes.
        assertEquals(TriggerFastPath.CORE_ATTRIBUTE, TriggerHandler.ATTRIBUTE);
    }
}
