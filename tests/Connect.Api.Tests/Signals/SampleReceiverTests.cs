using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Connect.Application.SigningKeys;
using Connect.Infrastructure;
using Connect.Infrastructure.Processes;
using Connect.Testing;
using Connect.Testing.Seeding;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// docs/signals.md's example, as an integrator follows it: the service as shipped, samples/SignalReceiver started with
/// the page's <c>dotnet run</c> line, registered with the page's <c>./connect app receiver add</c> line; a real logout
/// and a real revoke-all; the sample prints one JSON line per signal it verified.
/// </summary>
public sealed class SampleReceiverTests
{
    private static readonly string Root = Checkout.Root;

    [Fact]
    public async Task Sample_receiver_from_the_integrators_page_verifies_and_prints_a_logout_and_a_revoke_all()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        var servicePort = LoopbackPort.Free();
        var connect = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{servicePort}");
        var settings = ShippedService.Settings(db.ConnectionString, SigningKeyEncryption.NewKeyEncryptionKey(), 5, 15);
        settings["Connect__SessionTokens__Issuer"] = connect; // as ./connect up: the issuer is its own URL
        await using var service = await ShippedService.StartAsync(settings, servicePort);
        var receiverPort = LoopbackPort.Free();

        using var sample = new KilledOnDispose(Start(
            ["dotnet", "run", "--project", "samples/SignalReceiver", "--", "--connect", connect, "--anchor", app.Anchor.Value,
             "--port", receiverPort.ToString(CultureInfo.InvariantCulture)], out var printed));
        await WaitUntilListeningAsync(sample.Process, receiverPort, printed);
        var added = await ConnectAsync(
            settings, "app", "receiver", "add", "--anchor", app.Anchor.Value,
            "--url", $"http://127.0.0.1:{receiverPort}/backchannel-logout", "--format", "backchannel-logout");
        var issued = await ConnectAsync(
            settings, "session", "issue", "--account", account.Value.ToString(), "--anchor", app.Anchor.Value, "--count", "2");
        var sessions = issued.RootElement.GetProperty("sessions").EnumerateArray().ToList();
        var loggedOut = Claims(sessions[0].GetProperty("accessToken").GetString()!);

        using var http = service.CreateClient();
        using var logout = await http.PostAsync(
            new Uri("logout", UriKind.Relative),
            new StringContent(
                JsonSerializer.Serialize(new { refreshToken = sessions[0].GetProperty("refreshToken").GetString() }),
                Encoding.UTF8, "application/json"));
        Assert.True(logout.IsSuccessStatusCode, await logout.Content.ReadAsStringAsync());
        await SignalService.EventuallyAsync(() => Task.FromResult(Lines(printed).Count == 1), $"the logout printed\n{Output(printed)}");
        Assert.Equal(1, await service.RevokeAllAsync(app, subject.Value));
        await SignalService.EventuallyAsync(() => Task.FromResult(Lines(printed).Count == 2), $"the revoke-all printed\n{Output(printed)}");

        Assert.Equal("backchannel-logout", added.RootElement.GetProperty("format").GetString());
        var lines = Lines(printed);
        Assert.Equal(
            ("backchannel-logout", subject.Value, loggedOut.Sid),
            (lines[0].GetProperty("format").GetString(), lines[0].GetProperty("subject").GetString(), lines[0].GetProperty("sid").GetString()));
        Assert.Equal(subject.Value, loggedOut.Subject);
        Assert.Equal(
            ("backchannel-logout", subject.Value, JsonValueKind.Null),
            (lines[1].GetProperty("format").GetString(), lines[1].GetProperty("subject").GetString(), lines[1].GetProperty("sid").ValueKind));
        Assert.NotEqual(lines[0].GetProperty("jti").GetString(), lines[1].GetProperty("jti").GetString());
        Assert.Equal(0, await SignalProcessTests.OutboxCountAsync(db));
    }

    /// <summary><c>dotnet run</c> and the program it started, ended together.</summary>
    private sealed class KilledOnDispose(Process process) : IDisposable
    {
        public Process Process => process;

        public void Dispose()
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
        }
    }

    private static (string Subject, string Sid) Claims(string accessToken)
    {
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(accessToken.Split('.')[1]));
        return (payload.RootElement.GetProperty("sub").GetString()!, payload.RootElement.GetProperty("sid").GetString()!);
    }

    /// <summary>The JSON lines the sample printed (dotnet run's own lines, if any, are not JSON).</summary>
    private static List<JsonElement> Lines(List<string> printed)
    {
        lock (printed)
        {
            return [.. printed.Where(line => line.StartsWith('{')).Select(line => JsonDocument.Parse(line).RootElement)];
        }
    }

    private static string Output(List<string> printed)
    {
        lock (printed)
        {
            return string.Join('\n', printed);
        }
    }

    /// <summary><c>./connect args</c> from the checkout root, as an operator types it; its JSON answer.</summary>
    private static async Task<JsonDocument> ConnectAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var connect = new ProgramCommand("bash", [Path.Combine(Root, "connect"), .. args]) { Environment = environment, WorkingDirectory = Root };
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(10)); // the first ./connect may build the CLI
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(connect, bound.Token);
        Assert.True(exitCode == 0, $"./connect {string.Join(' ', args)} failed: {stderr}");
        return JsonDocument.Parse(stdout);
    }

    private static Process Start(IReadOnlyList<string> command, out List<string> printed)
    {
        var lines = new List<string>();
        printed = lines;
        return ChildProcess.Start(
            new ProgramCommand(command[0], command.Skip(1)) { WorkingDirectory = Root }.ToStartInfo(),
            line =>
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            });
    }

    private static async Task WaitUntilListeningAsync(Process sample, int port, List<string> printed)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddMinutes(5); // dotnet run builds the sample first
        while (true)
        {
            if (sample.HasExited)
            {
                Assert.Fail($"the sample exited ({sample.ExitCode}):\n{Output(printed)}");
            }

            try
            {
                using var answer = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/"));
                return; // any answer: it listens
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                Assert.True(DateTime.UtcNow < deadline, $"the sample never listened:\n{Output(printed)}");
            }

            await Task.Delay(200);
        }
    }
}
