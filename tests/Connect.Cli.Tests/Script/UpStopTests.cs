using System.Net;

namespace Connect.Cli.Tests.Script;

/// <summary>
/// docs/contract/cli.md: <c>./connect up</c> runs "until Ctrl-C, which stops everything it started". Driven as a person does:
/// the real script, a real SIGTERM to the real process, and Ctrl-C typed in a pseudo-terminal (a background
/// process of a non-interactive shell ignores SIGINT, so SIGINT is only tested from a terminal). Each run has
/// served a request first, so the service holds pooled connections, as it does in use.
/// </summary>
public sealed class UpStopTests(EmbeddedCluster embedded) : IClassFixture<EmbeddedCluster>
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Sigterm_stops_the_service_and_the_embedded_postgres_it_started(bool demo)
    {
        using var up = RunningService.Start(embedded.Environment, demo ? ["--demo"] : []);
        await ReadyAsync(up, demo);

        await ConnectScript.SignalAsync(up.Pid, "TERM");

        Assert.Equal(0, await up.WaitForExitAsync());
        await AssertStoppedAsync(up);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ctrl_c_in_a_terminal_stops_the_service_and_the_embedded_postgres_it_started(bool demo)
    {
        using var up = RunningService.StartInTerminal(embedded.Environment, demo ? ["--demo"] : []);
        await ReadyAsync(up, demo);

        await up.PressCtrlCAsync();

        Assert.Equal(0, await up.WaitForExitAsync());
        await AssertStoppedAsync(up);
    }

    [Fact]
    public async Task A_cluster_that_was_already_running_keeps_running()
    {
        await embedded.Cluster.StartAsync();
        try
        {
            var server = embedded.PostmasterPid();
            using var up = RunningService.Start(embedded.Environment);
            await ReadyAsync(up, demo: false);

            await ConnectScript.SignalAsync(up.Pid, "TERM");

            Assert.Equal(0, await up.WaitForExitAsync());
            Assert.True(await embedded.Cluster.IsRunningAsync(), $"up stopped a server it had not started:\n{up.Output}");
            Assert.Equal(server, embedded.PostmasterPid());
        }
        finally
        {
            await embedded.Cluster.StopAsync();
        }
    }

    private async Task ReadyAsync(RunningService up, bool demo)
    {
        var url = await up.WaitUntilServingAsync();
        if (demo)
        {
            await up.WaitForLineAsync("connect: demo done");
        }

        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromMinutes(1) };
        using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(await embedded.Cluster.IsRunningAsync());
    }

    private async Task AssertStoppedAsync(RunningService up)
    {
        Assert.Empty(embedded.ServerProcesses());
        Assert.Null(embedded.PostmasterPid());
        Assert.False(await embedded.Cluster.IsRunningAsync(), $"the embedded PostgreSQL is still running:\n{up.Output}");
        Assert.Contains("stopping the embedded PostgreSQL it started", up.Output, StringComparison.Ordinal);
    }
}
