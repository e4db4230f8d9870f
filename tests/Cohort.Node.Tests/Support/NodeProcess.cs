using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;

namespace Cohort.Node.Tests.Support;

/// <summary>
/// One Cohort node as a separate OS process (<c>dotnet Cohort.Node.dll</c>), as it runs in production: it can be
/// killed with SIGKILL or stopped with SIGTERM. Its stdout and stderr go to a log file of its own.
/// </summary>
internal sealed class NodeProcess : IDisposable
{
    private const int SigTerm = 15;

    // Node processes outlive nothing: should the test host end without disposing them, they are killed here.
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process process;
    private readonly StreamWriter log;
    private readonly Lock logGate = new();
    private bool logClosed;

    static NodeProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var p in Running.Values)
            {
                try
                {
                    p.Kill(entireProcessTree: false);
                }
                catch (Exception)
                {
                    // Already gone.
                }
            }
        };
    }

    private NodeProcess(string nodeId, int port, int remotingPort, string logPath, Process process, StreamWriter log, bool adminToken)
    {
        NodeId = nodeId;
        Port = port;
        RemotingPort = remotingPort;
        LogPath = logPath;
        this.process = process;
        this.log = log;
        Http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(10) };
        if (adminToken)
        {
            Http.DefaultRequestHeaders.Authorization = TestAuth.AdminHeader;
        }
    }

    public string NodeId { get; }

    public int Port { get; }

    /// <summary>Where Akka remoting listens: the node's address in the cluster.</summary>
    public int RemotingPort { get; }

    public string Address => AddressOf(RemotingPort);

    public static string AddressOf(int remotingPort) => $"akka.tcp://cohort@127.0.0.1:{remotingPort}";

    public string Url => $"http://127.0.0.1:{Port}";

    public string LogPath { get; }

    public int Pid => process.Id;

    /// <summary>A client for this node's HTTP API (admin and health calls of the tests), with an admin token unless started without.</summary>
    public HttpClient Http { get; }

    public bool HasExited => process.HasExited;

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Release or Debug: the configuration this test assembly was built with, so the node is the same build.</summary>
    public static string Configuration { get; } = FindConfiguration();

    public static string NodeAssembly { get; } =
        Path.Combine(RepositoryRoot, "src", "Cohort.Node", "bin", Configuration, "net10.0", "Cohort.Node.dll");

    /// <param name="seedNodes">Addresses of the members to join; the first forms a new cluster when no other answers.</param>
    public static NodeProcess Start(
        string nodeId, int port, int remotingPort, IReadOnlyList<string> seedNodes, string bootstrapServers, string connectionString,
        string logDirectory, IReadOnlyDictionary<string, string>? settings = null, bool adminToken = true)
    {
        if (!File.Exists(NodeAssembly))
        {
            throw new FileNotFoundException(
                $"{NodeAssembly} is missing: build the solution with -c {Configuration} before running these tests", NodeAssembly);
        }
        var url = $"http://127.0.0.1:{port}";
        var startInfo = new ProcessStartInfo(DotnetHost())
        {
            // The content root is the working directory: the node reads its appsettings.json from there.
            WorkingDirectory = Path.GetDirectoryName(NodeAssembly)!,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(NodeAssembly);
        var arguments = new Dictionary<string, string>
        {
            ["--urls"] = url,
            ["--Cohort:Node:NodeId"] = nodeId,
            ["--Cohort:Node:Url"] = url,
            ["--Cohort:Cluster:Port"] = remotingPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["--Cohort:Kafka:BootstrapServers"] = bootstrapServers,
            ["--Cohort:Kafka:SessionTimeoutMs"] = "6000",
            ["--Cohort:Node:AskTimeout"] = "00:00:03",
            ["--Cohort:Postgres:ConnectionString"] = connectionString,
            // Three nodes, PostgreSQL and the test on two cores: each node keeps its connections few.
            ["--Cohort:Postgres:JournalPoolSize"] = "8",
            ["--Cohort:Postgres:PoolSize"] = "6",
            // The tests drive thousands of requests a second; the ones of the node's limit set their own.
            ["--Cohort:RateLimits:PerNodePerSecond"] = "1000000",
        };
        for (var i = 0; i < seedNodes.Count; i++)
        {
            arguments[$"--Cohort:Cluster:SeedNodes:{i}"] = seedNodes[i];
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            arguments[key.StartsWith("--", StringComparison.Ordinal) ? key : "--" + key] = value;
        }
        foreach (var (key, value) in arguments)
        {
            startInfo.ArgumentList.Add($"{key}={value}");
        }
        startInfo.Environment.Remove("DOTNET_STARTUP_HOOKS");
        startInfo.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in TestAuth.Environment)
        {
            startInfo.Environment[name] = value;
        }

        var logPath = Path.Combine(logDirectory, $"{nodeId}.log");
        var writer = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        writer.WriteLine($"# {DateTime.UtcNow:HH:mm:ss.fff} starting {nodeId} on {url}: {startInfo.FileName} {string.Join(' ', startInfo.ArgumentList)}");
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var node = new NodeProcess(nodeId, port, remotingPort, logPath, process, writer, adminToken);
        process.OutputDataReceived += (_, e) => node.Append(e.Data);
        process.ErrorDataReceived += (_, e) => node.Append(e.Data is null ? null : "[stderr] " + e.Data);
        process.Start();
        Running[process.Id] = process;
        StartWatchdog(process.Id, url);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200; fails at once if the process exits.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (clock.Elapsed < limit)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"{NodeId} exited with code {process.ExitCode} before it was ready; its log:\n{ReadLogTail(80)}");
            }
            try
            {
                using var response = await Http.GetAsync("/health/ready");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{NodeId} was not ready within {limit.TotalSeconds:0} s (last: {last}); its log:\n{ReadLogTail(80)}");
    }

    /// <summary>SIGKILL: the node gets no chance to leave the cluster, finish writes or close connections.</summary>
    public void Kill()
    {
        Append($"# {DateTime.UtcNow:HH:mm:ss.fff} test: SIGKILL");
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }
        process.WaitForExit(10_000);
        Running.TryRemove(process.Id, out _);
    }

    /// <summary>SIGTERM, then waits for the process to exit.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        Append($"# {DateTime.UtcNow:HH:mm:ss.fff} test: SIGTERM");
        if (!process.HasExited && SendSignal(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {process.Id} failed with errno {Marshal.GetLastWin32Error()}");
        }
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(45));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{NodeId} did not exit within {(timeout ?? TimeSpan.FromSeconds(45)).TotalSeconds:0} s of SIGTERM; killed it");
        }
        // The parameterless wait also drains the redirected output.
        process.WaitForExit();
        Running.TryRemove(process.Id, out _);
        return process.ExitCode;
    }

    public string ReadLog()
    {
        lock (logGate)
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    public string ReadLogTail(int lines)
    {
        var all = ReadLog().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        Running.TryRemove(process.Id, out _);
        Http.Dispose();
        lock (logGate)
        {
            logClosed = true;
            log.Dispose();
        }
        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (logGate)
        {
            if (!logClosed)
            {
                log.WriteLine(line);
            }
        }
    }

    /// <summary>
    /// Kills the node should this test process die without disposing it (a crashed or killed test host runs no
    /// ProcessExit handler). It ends by itself once the node is gone, and checks the command line before it kills, so a
    /// reused pid is never hit.
    /// </summary>
    private static void StartWatchdog(int pid, string url)
    {
        const string Watchdog = """
            exec </dev/null >/dev/null 2>&1
            parent=$1; child=$2; url=$3
            while kill -0 "$parent" && kill -0 "$child"; do sleep 1; done
            if ! kill -0 "$parent" && tr '\0' ' ' <"/proc/$child/cmdline" | grep -q -- "--urls=$url "; then
                kill -9 "$child"
            fi
            """;
        var startInfo = new ProcessStartInfo("setsid") { UseShellExecute = false, WorkingDirectory = "/" };
        foreach (var argument in (string[])["sh", "-c", Watchdog, "cohort-node-watchdog", Environment.ProcessId.ToString(), pid.ToString(), url])
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var watchdog = Process.Start(startInfo);
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }
        return "dotnet";
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cluster.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"no Cluster.sln above {AppContext.BaseDirectory}");
    }

    private static string FindConfiguration()
    {
        // .../tests/Cohort.Node.Tests/bin/<Configuration>/net10.0/
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        if (bin < 0 || bin + 1 >= parts.Length)
        {
            throw new InvalidOperationException($"cannot tell the build configuration from {AppContext.BaseDirectory}");
        }
        return parts[bin + 1];
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
