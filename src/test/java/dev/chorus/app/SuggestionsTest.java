package dev.chorus.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    private static final List<String> FLAGS = List.of("host", "port", "path", "hostname", "config", "debug", "demo",
            "tls-cert", "tls-key", "tls-keystore", "tls-keystore-password");

    @Test
    void twoSwappedLettersAreOneEditAndFindTheIntendedName() {
        assertEquals(Optional.of("port"), Suggestions.nearest("prot", FLAGS));
        assertEquals(1, Suggestions.distance("prot", "port"));
    }

    @Test
    void aMissingOrExtraLetterFindsTheName() {
        assertEquals(Optional.of("secret"), Suggestions.nearest("secert", List.of("id", "key", "secret", "name")));
        assertEquals(Optional.of("max_connections"), Suggestions.nearest("max_conections", List.of("max_connections", "max_channels")));
        assertEquals(Optional.of("tls-keystore-password"), Suggestions.nearest("tls-keystore-pasword", FLAGS));
        assertEquals(Optional.of("config"), Suggestions.nearest("confg", FLAGS));
    }

    @Test
    void caseAndSeparatorsDoNotCount() {
        assertEquals(Optional.of("ping_interval"), Suggestions.nearest("pingInterval", List.of("ping_interval", "pong_timeout")));
        assertEquals(Optional.of("CHORUS_MAX_CONNECTIONS"),
                Suggestions.nearest("chorus-max-connections", List.of("CHORUS_MAX_CONNECTIONS", "CHORUS_DEBUG")));
    }

    @Test
    void aNameFarFromEveryKnownOneSuggestsNothing() {
        assertEquals(Optional.empty(), Suggestions.nearest("bogus", List.of("start", "init", "restart", "health", "bench")));
        assertEquals(Optional.empty(), Suggestions.nearest("x", List.of("port", "host")));
        assertEquals("", Suggestions.didYouMean("bogus", FLAGS, "--"));
    }

    @Test
    void theSuggestionIsSpelledAsTheUserWouldTypeIt() {
        assertEquals(" (did you mean --port?)", Suggestions.didYouMean("prot", FLAGS, "--"));
        assertEquals(" (did you mean server.port?)", Suggestions.didYouMean("prot", List.of("port", "path"), "server."));
    }

    @Test
    void tiesGoToTheFirstNameAlphabeticallySoTheAnswerIsStable() {
        assertEquals(Optional.of("host"), Suggestions.nearest("hust", List.of("must", "host")));
    }
}
