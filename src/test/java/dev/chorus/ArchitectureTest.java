package dev.chorus;

import static com.tngtech.archunit.base.DescribedPredicate.or;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import jakarta.enterprise.inject.spi.CDI;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Package arrows point one way (docs/architecture.md); this keeps them so. */
class ArchitectureTest {
    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.chorus");

    private static void onlyUses(String pkg, String... allowed) {
        String[] packages = Arrays.stream(allowed).map(name -> "dev.chorus." + name + "..").toArray(String[]::new);
        String[] withSelf = Arrays.copyOf(packages, packages.length + 1);
        withSelf[packages.length] = "dev.chorus." + pkg + "..";
        classes().that().resideInAPackage("dev.chorus." + pkg + "..")
                .should().onlyDependOnClassesThat(or(resideOutsideOfPackage("dev.chorus.."), resideInAnyPackage(withSelf)))
                .because(pkg + " may use only " + String.join(", ", allowed))
                .check(CLASSES);
    }

    @Test
    void protocolDependsOnNoOtherChorusPackage() {
        onlyUses("protocol");
    }

    @Test
    void appUsesOnlyProtocol() {
        onlyUses("app", "protocol");
    }

    @Test
    void channelNeverKnowsConnectionsServerOrTransport() {
        onlyUses("channel", "protocol", "app");
    }

    @Test
    void connectionUsesChannelAppAndProtocol() {
        onlyUses("connection", "channel", "app", "protocol");
    }

    @Test
    void broadcastKnowsNoSocketsAndNoServer() {
        onlyUses("broadcast", "channel", "app", "protocol", "relay", "webhook", "metrics");
    }

    @Test
    void metricsDependOnNoOtherChorusPackage() {
        onlyUses("metrics");
    }

    @Test
    void webhooksKnowOnlyAppsAndTheWireFormat() {
        onlyUses("webhook", "app", "protocol");
    }

    @Test
    void relayNeverKnowsChannelsOrSockets() {
        // relay.redis reads its Scaling settings from app; nothing else.
        onlyUses("relay", "protocol", "app");
    }

    @Test
    void serverSitsAboveBroadcastAndConnections() {
        onlyUses("server", "broadcast", "channel", "connection", "app", "protocol", "metrics", "webhook", "host");
    }

    @Test
    void websocketAdaptsTheContainerToTheServerAndNeverReachesTheCompositionRoot() {
        onlyUses("websocket", "server", "connection", "app", "protocol", "host", "cdi");
    }

    @Test
    void apiUsesBroadcastAndAppsAndNeverReachesTheCompositionRoot() {
        onlyUses("api", "broadcast", "app", "protocol", "server", "metrics", "host", "cdi");
    }

    @Test
    void launcherUsesJettyAndTheSettingsOnly() {
        onlyUses("launcher", "app", "protocol", "relay", "host");
    }

    @Test
    void theLookupHelperDependsOnNothingOfOurs() {
        onlyUses("cdi");
    }

    @Test
    void onlyTheLookupHelperAsksCdiByHand() {
        noClasses().that().resideOutsideOfPackage("dev.chorus.cdi..")
                .should().callMethod(CDI.class, "current")
                .because("CDI.current() is in one helper (dev.chorus.cdi.Lookup), for classes a container creates")
                .check(CLASSES);
    }

    @Test
    void theHostSeamDependsOnNothingOfOurs() {
        onlyUses("host");
    }
}
