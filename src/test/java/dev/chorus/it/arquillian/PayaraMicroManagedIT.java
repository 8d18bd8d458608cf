package dev.chorus.it.arquillian;

import java.io.File;
import java.net.URL;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** chorus-ee.war, unmodified, deployed by Arquillian into a managed Payara Micro 6; config from CHORUS_CONFIG. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class PayaraMicroManagedIT {
    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war")
                .importFrom(new File(System.getProperty("chorus.ee.war", "target/chorus-ee.war"))).as(WebArchive.class);
    }

    @Test
    void pusherClientsSubscribePresenceAndReceiveTriggeredEvents(@ArquillianResource URL url) throws Exception {
        // Payara reports its interface address; the server also listens on loopback.
        dev.chorus.it.ArquillianScenario.run(url.getPort());
    }
}
