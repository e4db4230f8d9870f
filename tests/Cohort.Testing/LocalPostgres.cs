using System.Diagnostics;

namespace Cohort.Testing;

/// <summary>
/// A throwaway PostgreSQL 15 server in a temporary folder, for test runs that were given no server.
/// </summary>
internal sealed class LocalPostgres
{
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string OsUser = "postgres";
    private const int StartAttempts = 3;

    private readonly string _root;
    private readonly string _dataDirectory;
    private readonly string _logFile;
    private readonly int _port;

    private LocalPostgres(string root, int port)
    {
        _root = root;
        _dataDirectory = Path.Combine(root, "data");
        _logFile = Path.Combine(root, "postgres.log");
        _port = port;
    }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres";

    // initdb and postgres refuse to run as root, and test machines run everything as root.
    private static bool RunAsPostgresUser => Environment.UserName == "root";

    public static async Task<LocalPostgres> StartAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(BinDirectory, "initdb")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({BinDirectory}): run scripts/install-deps.sh, " +
                "or point COHORT_TEST_POSTGRES at a server's admin connection string.");
        }

        var root = Directory.CreateTempSubdirectory("cohort-pg-").FullName;
        try
        {
            if (RunAsPostgresUser)
            {
                await ExternalCommand.RunAsync("chown", [$"{OsUser}:{OsUser}", root], root, cancellationToken);
            }

            // No sync of the initial files: the server is thrown away, and fsync stays on for what the tests write.
            await RunAsync(root, "initdb",
                ["-D", Path.Combine(root, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                 "--no-sync", "--no-instructions"],
                cancellationToken);

            for (var attempt = 1; ; attempt++)
            {
                var server = new LocalPostgres(root, FreePort.Next());
                if (await server.TryStartServerAsync(isLastAttempt: attempt == StartAttempts, cancellationToken))
                {
                    server.StopWhenProcessEnds();
                    return server;
                }
            }
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <returns>false when another process took the port first and a new port is worth a try.</returns>
    private async Task<bool> TryStartServerAsync(bool isLastAttempt, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync(_root, "pg_ctl",
                ["-D", _dataDirectory, "-l", _logFile, "-w", "-t", "60", "-o",
                 $"-p {_port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300",
                 "start"],
                cancellationToken);
            return true;
        }
        catch (InvalidOperationException failure)
        {
            var log = File.Exists(_logFile) ? await File.ReadAllTextAsync(_logFile, cancellationToken) : "";
            if (!isLastAttempt && log.Contains("Address already in use", StringComparison.Ordinal))
            {
                File.Delete(_logFile);
                return false;
            }

            throw new InvalidOperationException($"{failure.Message}\n{_logFile}:\n{log}", failure);
        }
    }

    /// <summary>
    /// Leaves stopping the server and deleting its folder to a detached watchdog. A ProcessExit handler is not
    /// enough: the test platform kills its test host shortly after the run, and a crashed host runs no handlers.
    /// </summary>
    private void StopWhenProcessEnds()
    {
        const string Watchdog = """
            exec </dev/null >/dev/null 2>&1
            parent=$1; root=$2; shift 2
            while kill -0 "$parent"; do sleep 1; done
            "$@"
            rm -rf "$root"
            """;

        // Immediate: the data is deleted next, so a shutdown checkpoint would be wasted work.
        string[] arguments =
        [
            "sh", "-c", Watchdog, "cohort-pg-watchdog", Environment.ProcessId.ToString(), _root,
            .. AsServerUser("pg_ctl", ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"]),
        ];
        var startInfo = new ProcessStartInfo("setsid", arguments) { UseShellExecute = false, WorkingDirectory = "/" };
        using var watchdog = Process.Start(startInfo)
            ?? throw new InvalidOperationException("Could not start the PostgreSQL watchdog.");
    }

    private static Task RunAsync(
        string workingDirectory, string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var command = AsServerUser(program, arguments);
        return ExternalCommand.RunAsync(command[0], command[1..], workingDirectory, cancellationToken);
    }

    private static string[] AsServerUser(string program, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(BinDirectory, program);
        return RunAsPostgresUser ? ["runuser", "-u", OsUser, "--", path, .. arguments] : [path, .. arguments];
    }
}
