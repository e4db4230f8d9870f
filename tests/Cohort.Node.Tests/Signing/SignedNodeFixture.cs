using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Cohort.Runtime.Kafka;
using Cohort.Testing;

namespace Cohort.Node.Tests.Signing;

/// <summary>
/// One real Cohort node, started as a child process from the built Cohort.Node.dll with request signing enabled,
/// on a fresh database and its own Kafka mock cluster hosted in this test process.
/// </summary>
public sealed class SignedNodeFixture : IAsyncLifetime
{
    public const string KeyId = "svc-a";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private const int StartAttempts = 3;
    private const int KeptOutputLines = 2000;

    private readonly PostgresServer postgres = new();
    private readonly ConcurrentQueue<string> output = new();
    private EmbeddedKafka? kafka;
    private Process? process;

    /// <summary>The HMAC key of <see cref="KeyId"/>; the node is given its base64.</summary>
    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);

    public HttpClient Http { get; private set; } = null!;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await postgres.InitializeAsync();
        ConnectionString = await postgres.CreateDatabaseAsync("signed_node");
        kafka = EmbeddedKafka.Start(new EmbeddedKafkaOptions());
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            Start(url);
            Http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
            try
            {
                await WaitUntilReadyAsync();
                return;
            }
            // Another process may take the free port before the node binds it.
            catch (InvalidOperationException) when (attempt < StartAttempts && Output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                Http.Dispose();
                await StopAsync();
                output.Clear();
            }
        }
    }

    public string Output => string.Join('\n', output);

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        await StopAsync();
        kafka?.Dispose();
        await postgres.DisposeAsync();
    }

    private void Start(string url)
    {
        var repo = RepositoryRoot();
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var directory = Path.Combine(repo, "src", "Cohort.Node", "bin", configuration, "net10.0");
        var dll = Path.Combine(directory, "Cohort.Node.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} does not exist: build Cluster.sln in {configuration} first");
        }
        var startInfo = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            dll,
            "--urls", url,
            $"--Cohort:Node:NodeId=signing-{Guid.NewGuid():N}",
            $"--Cohort:Node:Url={url}",
            "--Cohort:Node:AskTimeout=00:00:20",
            $"--Cohort:Kafka:BootstrapServers={kafka!.BootstrapServers}",
            $"--Cohort:Postgres:ConnectionString={ConnectionString}",
            "--Cohort:Signing:Enabled=true",
            $"--Cohort:Signing:Keys:{KeyId}={Convert.ToBase64String(Key)}",
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start the node process");
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // A test host that dies without disposing its fixtures must not leave the node running.
        AppDomain.CurrentDomain.ProcessExit += KillOnExit;
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"the node exited with {process.ExitCode} before it was ready:\n{Output}");
            }
            try
            {
                using var response = await Http.GetAsync("/health/ready");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
                last = await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            await Task.Delay(200);
        }
        await StopAsync();
        throw new TimeoutException($"the node was not ready within {ReadyTimeout} ({last}):\n{Output}");
    }

    private async Task StopAsync()
    {
        AppDomain.CurrentDomain.ProcessExit -= KillOnExit;
        if (process is null)
        {
            return;
        }
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        process = null;
    }

    private void KillOnExit(object? sender, EventArgs e)
    {
        try
        {
            process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        output.Enqueue(line);
        while (output.Count > KeptOutputLines && output.TryDequeue(out _))
        {
        }
    }

    private static string RepositoryRoot()
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
}
