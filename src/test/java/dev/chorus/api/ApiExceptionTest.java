package dev.chorus.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ApiExceptionTest {
    @Test
    void theRateRefusalIs429AndNamesTheLimitAndItsSetting() {
        ApiException refused = ApiException.tooMany("events", 5, "max_backend_events_per_second");
        assertEquals(429, refused.status());
        assertEquals("Too many events: the limit is 5 per second (max_backend_events_per_second)", refused.getMessage());
        assertEquals("{\"error\":\"Too many events: the limit is 5 per second (max_backend_events_per_second)\"}",
                ApiExceptionMapper.json(refused.status(), refused.getMessage()).getEntity());
    }
}
