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

/** chorus.war, unmodified, deployed by Arquillian into Tomcat 10.1 embedded; config from CHORUS_CONFIG. */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class TomcatEmbeddedIT {
    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.create(ZipImporter.class, "ROOT.war")
                .importFrom(new File(System.getProperty("chorus.war", "target/chorus.war"))).as(WebArchive.class);
    }

    @Test
    void pusherClientsSubscribePresenceAndReceiveTriggeredEvents(@ArquillianResource URL url) throws Exception {
        dev.chorus.it.ArquillianScenario.run(url.getPort());
    }
}
