using System.Diagnostics;
using System.Globalization;
using Connect.Infrastructure;
using Connect.Infrastructure.Processes;

namespace Connect.Testing.Hosting;

/// <summary>
/// A server in a process of its own, <c>dotnet SERVER.dll</c>, as the tests and the benchmark start one: the service
/// as shipped (<c>Connect.Api.dll</c>, configured as any ASP.NET Core service is, through its environment) or the
/// bench's hand-written endpoint. Listens on 127.0.0.1; its output goes to a log file. Disposing stops it with SIGTERM,
/// then SIGKILL; <see cref="KillAsync"/> is a SIGKILL and nothing else.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StreamWriter log;
    private readonly bool deleteLog;

    private ServiceProcess(Process process, StreamWriter log, int port, string logFile, bool deleteLog)
    {
        this.process = process;
        this.log = log;
        this.deleteLog = deleteLog;
        Port = port;
        LogFile = logFile;
    }

    public int Port { get; }

    public int Pid => process.Id;

    public bool HasExited => process.HasExited;

    public string LogFile { get; }

    public Uri BaseAddress => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/"));

    /// <summary>What it printed so far, for a failure's message.</summary>
    public string Log
    {
        get
        {
            using var file = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(file);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Starts <paramref name="dll"/> and waits until its <c>/health</c> answers.</summary>
    /// <param name="settings">Its environment, over ours (less the URLs and environment name a developer's shell may set).</param>
    /// <param name="logFile">Where its output goes; a temporary file deleted with the process when null.</param>
    /// <param name="port">The port to listen on (when its settings name its own URL); a free one otherwise.</param>
    /// <param name="readyWithin">How long it may take to answer.</param>
    /// <exception cref="InvalidOperationException">It exited.</exception>
    /// <exception cref="TimeoutException">It did not answer in time.</exception>
    public static async Task<ServiceProcess> StartAsync(
        string dll, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> settings, string? logFile = null,
        int? port = null, TimeSpan? readyWithin = null, CancellationToken cancellationToken = default)
    {
        var listen = port ?? LoopbackPort.Free();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Urls"] = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{listen}"),
        };
        foreach (var (key, value) in settings)
        {
            environment[key] = value;
        }

        var command = new ProgramCommand("dotnet", [dll, .. arguments])
        {
            Environment = environment,
            Unset = ["ASPNETCORE_URLS", "DOTNET_ENVIRONMENT"],
            // Connect.Api reads appsettings.json from its content root, the working folder.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        var file = logFile ?? Path.Combine(Path.GetTempPath(), $"connect-service-{Guid.NewGuid():N}.log");
        var writer = new StreamWriter(file) { AutoFlush = true };
        var process = ChildProcess.Start(command.ToStartInfo(), ChildProcess.LogLines(writer));
        var service = new ServiceProcess(process, writer, listen, file, deleteLog: logFile is null);
        try
        {
            await service.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(120), cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>kill -9: the process ends at once, holding whatever it held; waits until it is gone.</summary>
    public async Task KillAsync()
    {
        var exitCode = await ChildProcess.SignalAsync(Pid, 9);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"kill -9 {Pid} exited with {exitCode}");
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(bound.Token);
    }

    /// <summary>SIGTERM (a graceful ASP.NET Core shutdown), then SIGKILL if it is still there after 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await ChildProcess.StopAsync(process, TimeSpan.FromSeconds(15));
        }
        finally
        {
            process.Dispose();
            ChildProcess.CloseLog(log);
            if (deleteLog)
            {
                File.Delete(LogFile);
            }
        }
    }

    private async Task WaitUntilReadyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri(BaseAddress, "health");
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {process.ExitCode}; {Output}");
            }

            try
            {
                using var answer = await http.GetAsync(health, cancellationToken);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Slow to answer while it starts.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException(
            string.Create(CultureInfo.InvariantCulture, $"the server did not become ready in {within.TotalSeconds:0} s; {Output}"));
    }

    /// <summary>Where to read what it printed: the kept log's name, or what a temporary one held, as it is deleted.</summary>
    private string Output => deleteLog ? $"its output:\n{Log}" : $"see {LogFile}";
}
