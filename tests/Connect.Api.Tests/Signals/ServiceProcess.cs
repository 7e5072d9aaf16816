using System.Diagnostics;
using System.Globalization;
using Connect.Infrastructure;
using Connect.Testing.ClientJwts;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// The service as shipped, <c>dotnet Connect.Api.dll</c> in a process of its own, configured through its environment
/// as any ASP.NET Core service is (as the benchmark starts it). Its output goes to a log file that a failing test
/// shows. Disposing stops it with SIGTERM, then SIGKILL; <see cref="KillAsync"/> is a SIGKILL and nothing else.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ServiceProcess(Process process, StreamWriter log, int port, string logFile)
    {
        _process = process;
        _log = log;
        Port = port;
        LogFile = logFile;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public string LogFile { get; }

    public Uri BaseAddress => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/"));

    /// <summary>What it printed so far, for a failing assertion's message.</summary>
    public string Log
    {
        get
        {
            using var file = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(file);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Connect.Api.dll as the test project's build built it: src/Connect.Api/bin/(this configuration)/net10.0.</summary>
    public static string ServiceDll
    {
        get
        {
            var here = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = here.Parent?.Name ?? "Debug"; // .../bin/<Configuration>/net10.0/
            var root = here;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Connect.sln")))
            {
                root = root.Parent;
            }

            return Path.Combine(
                root?.FullName ?? throw new InvalidOperationException("Connect.sln not found above the test's folder"),
                "src", "Connect.Api", "bin", configuration, "net10.0", "Connect.Api.dll");
        }
    }

    /// <summary>Starts one instance and waits until its /health answers.</summary>
    /// <param name="port">The port to listen on (when its settings name its own URL); a free one otherwise.</param>
    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> settings, int? port = null)
    {
        var dll = ServiceDll;
        Assert.True(File.Exists(dll), $"{dll} is not built");
        port ??= LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!, // its content root, where appsettings.json is
        };
        start.ArgumentList.Add(dll);
        start.Environment.Remove("ASPNETCORE_URLS");
        start.Environment.Remove("DOTNET_ENVIRONMENT");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Urls"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var logFile = Path.Combine(Path.GetTempPath(), $"connect-signals-{Guid.NewGuid():N}.log");
        var log = new StreamWriter(logFile) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Write(log, line.Data);
        process.ErrorDataReceived += (_, line) => Write(log, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new ServiceProcess(process, log, port.Value, logFile);
        try
        {
            await service.WaitUntilReadyAsync();
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    /// <summary>The settings every instance over <paramref name="connectionString"/> shares, with the signals' own.</summary>
    public static Dictionary<string, string> Settings(
        string connectionString, string keyEncryptionKey, int deliveryTimeoutSeconds, int leaseSeconds) => new()
    {
        ["ConnectionStrings__Connect"] = connectionString,
        ["Connect__SigningKeys__KeyEncryptionKey"] = keyEncryptionKey,
        ["Connect__SessionTokens__Issuer"] = SignalService.Issuer,
        ["Connect__Signals__AllowLoopbackReceivers"] = "true",
        ["Connect__Signals__PollMilliseconds"] = "50",
        ["Connect__Signals__DeliveryTimeoutSeconds"] = deliveryTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["Connect__Signals__LeaseSeconds"] = leaseSeconds.ToString(CultureInfo.InvariantCulture),
    };

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>A signed revoke-all for <paramref name="subject"/>, over real HTTP; the revokedCount it answered.</summary>
    public async Task<int> RevokeAllAsync(TestApplication app, string subject)
    {
        var body = RevokeAllBodies.For(subject);
        var jwt = new TestClientJwt(app.Anchor.Value, app.Key, DateTimeOffset.UtcNow, body);
        using var client = CreateClient();
        using var response = await client.SendAsync(ConnectApiFactory.Request(jwt.AuthorizationHeader(), body));
        return await ApiAssert.RevokedCountAsync(response);
    }

    /// <summary>kill -9: the process ends at once, holding whatever it held; waits until it is gone.</summary>
    public async Task KillAsync()
    {
        using (var kill = Process.Start("kill", ["-KILL", Pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(bound.Token);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>SIGTERM (a graceful shutdown), then SIGKILL if it is still there after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await term.WaitForExitAsync();
                }

                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(grace.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
            lock (_log)
            {
                _log.Dispose();
            }

            File.Delete(LogFile);
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri(BaseAddress, "health");
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"the service exited ({_process.ExitCode}):\n{Log}");
            }
            try
            {
                using var answer = await http.GetAsync(health);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow to answer while it starts.
            }

            await Task.Delay(200);
        }

        Assert.Fail($"the service did not become ready:\n{Log}");
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            try
            {
                log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A last line after the process was disposed: nobody reads the log any more.
            }
        }
    }
}
