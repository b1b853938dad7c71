package newsgraph;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;
import org.neo4j.io.locker.FileLockException;
import org.neo4j.logging.Level;
import org.neo4j.logging.log4j.Log4jLogProvider;

/**
 * Runs an embedded Neo4j 5 Community DBMS with only the Bolt connector open.
 *
 * <p>Why a launcher instead of the Neo4j server distribution: the distribution is not in
 * Debian nor on PyPI, while the embedded jars come from Maven Central and start with a
 * plain {@code java -cp}. The Python side ({@code graph/neo4j_local.py}) starts this
 * process in the background and waits for the {@code READY bolt://host:port} line.
 *
 * <p>Usage: {@code Neo4jLauncher --data DIR --port N [--host 127.0.0.1] [--pagecache 128m] [--owner-pid PID]}
 *
 * <p>{@code --owner-pid}: shut down cleanly once that process is gone. A test session passes its
 * own pid, so a session killed with SIGKILL (which runs no fixture teardown) leaves no server
 * behind; a server started for day-to-day use outlives its starter and passes none.
 *
 * <p>Exit codes: 0 clean shutdown, 2 bad arguments, 3 port already in use,
 * 4 data directory locked by another process, 1 any other start failure.
 */
public final class Neo4jLauncher {
    static final int EXIT_USAGE = 2;
    static final int EXIT_PORT_IN_USE = 3;
    static final int EXIT_LOCKED = 4;
    static final int EXIT_FAILED = 1;

    private Neo4jLauncher() {}

    /** Command-line options; defaults suit a local development and test server. */
    record Options(Path data, String host, int port, long pagecacheBytes, Long ownerPid) {}

    public static void main(String[] args) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            fail(EXIT_USAGE, e.getMessage()
                    + "\nusage: Neo4jLauncher --data DIR --port N [--host 127.0.0.1] [--pagecache 128m]"
                    + " [--owner-pid PID]");
            return;
        }
        run(options);
    }

    static Options parse(String[] args) {
        Path data = null;
        String host = "127.0.0.1";
        Integer port = null;
        String pagecache = "128m";
        Long ownerPid = null;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--data" -> data = Path.of(value).toAbsolutePath().normalize();
                case "--host" -> host = value;
                case "--port" -> port = parsePort(value);
                case "--pagecache" -> pagecache = value;
                case "--owner-pid" -> ownerPid = parsePid(value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("--data DIR is required");
        }
        if (port == null) {
            throw new IllegalArgumentException("--port N is required");
        }
        long pagecacheBytes;
        try {
            pagecacheBytes = ByteUnit.parse(pagecache);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--pagecache: not a size like 128m: " + pagecache);
        }
        return new Options(data, host, port, pagecacheBytes, ownerPid);
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port: not a TCP port: " + value);
        }
    }

    private static long parsePid(String value) {
        try {
            long pid = Long.parseLong(value);
            if (pid < 1) {
                throw new NumberFormatException();
            }
            return pid;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--owner-pid: not a process id: " + value);
        }
    }

    /** Exit (through the shutdown hook, so the store is closed cleanly) once the owner is gone. */
    private static void watchOwner(long pid) {
        Thread watcher = new Thread(() -> {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                sleep(1000);
            }
            System.out.println("OWNER GONE " + pid);
            System.out.flush();
            System.exit(0);
        }, "neo4j-owner-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    static void run(Options options) {
        // Fail fast with a clear message instead of a deep Netty stack trace.
        if (!portIsFree(options.host(), options.port())) {
            fail(EXIT_PORT_IN_USE, portInUseMessage(options));
        }
        Path logs = options.data().resolve("logs");
        OutputStream userLog;
        try {
            Files.createDirectories(logs);
            userLog = new FileOutputStream(logs.resolve("neo4j.log").toFile(), true);
        } catch (IOException e) {
            fail(EXIT_FAILED, "cannot create log directory " + logs + ": " + e.getMessage());
            return;
        }
        Log4jLogProvider userLogProvider = new Log4jLogProvider(userLog, Level.INFO);

        AtomicReference<DatabaseManagementService> service = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            DatabaseManagementService running = service.getAndSet(null);
            if (running != null) {
                System.out.println("STOPPING");
                System.out.flush();
                running.shutdown();
                System.out.println("STOPPED");
                System.out.flush();
            }
            userLogProvider.close();
            stopped.countDown();
        }, "neo4j-shutdown"));

        try {
            service.set(builder(options, logs).setUserLogProvider(userLogProvider).build());
        } catch (RuntimeException e) {
            reportStartFailure(options, e);
            return;
        }

        if (!boltAnswers(options.host(), options.port())) {
            service.getAndSet(null).shutdown();
            fail(EXIT_FAILED, "Neo4j started but Bolt does not accept connections on " + options.host() + ":"
                    + options.port() + "; see " + logs.resolve("debug.log"));
        }
        System.out.println("READY bolt://" + options.host() + ":" + options.port());
        System.out.flush();
        if (options.ownerPid() != null) {
            watchOwner(options.ownerPid());
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Small footprint settings: one local server per checkout or test session. */
    static DatabaseManagementServiceBuilder builder(Options options, Path logs) {
        return new DatabaseManagementServiceBuilder(options.data())
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(options.host(), options.port()))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, options.pagecacheBytes())
                .setConfig(GraphDatabaseSettings.logs_directory, logs)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "1 files")
                .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false);
    }

    private static boolean portIsFree(String host, int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** build() returns after the connector started; this confirms it from the outside. */
    private static boolean boltAnswers(String host, int port) {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 500);
                return true;
            } catch (IOException e) {
                sleep(100);
            }
        }
        return false;
    }

    private static void reportStartFailure(Options options, RuntimeException error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof FileLockException) {
                fail(EXIT_LOCKED, "data directory " + options.data() + " is locked by another process"
                        + " (another Neo4j uses it); stop that server first (python -m graph.neo4j_local stop"
                        + " --data " + options.data() + ") or use another --data. Detail: " + cause.getMessage());
            }
            if (cause instanceof BindException) {
                fail(EXIT_PORT_IN_USE, portInUseMessage(options) + " Detail: " + cause.getMessage());
            }
        }
        System.err.println("Neo4j failed to start in " + options.data() + ":");
        error.printStackTrace();
        fail(EXIT_FAILED, "see the stack trace above and " + options.data().resolve("logs/debug.log"));
    }

    private static String portInUseMessage(Options options) {
        return "port " + options.host() + ":" + options.port() + " is already in use;"
                + " pick another --port or stop the process listening there.";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void fail(int code, String message) {
        System.err.println("ERROR " + message);
        System.err.flush();
        // halt: skip the shutdown hook, there is nothing clean to shut down on a failed start.
        Runtime.getRuntime().halt(code);
    }
}
