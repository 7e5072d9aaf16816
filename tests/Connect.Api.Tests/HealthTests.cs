using System.Net;
using Connect.Api.Health;
using Microsoft.Extensions.Time.Testing;

namespace Connect.Api.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_ready_when_the_database_answers()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { SeedApplication = false });

        var response = await api.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """{"ready":true,"status":"ok","service":"connect","version":"0.1.0"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Health_is_unavailable_in_both_shapes_when_the_database_does_not_answer()
    {
        await using var api = await ConnectApi.StartAsync(new ConnectApiOptions { ConnectionString = ConnectApi.NoDatabase });

        var response = await api.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(
            """{"ready":false,"status":"unavailable","service":"connect","version":"0.1.0"}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Many_health_requests_within_a_second_probe_the_database_once()
    {
        var clock = new FakeTimeProvider();
        var probes = 0;
        var readiness = new ReadinessCache(_ => Task.FromResult(Interlocked.Increment(ref probes) > 0), clock);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True(await readiness.IsReadyAsync(CancellationToken.None));
        }

        Assert.Equal(1, probes);
        clock.Advance(ReadinessCache.MaxAge);
        Assert.True(await readiness.IsReadyAsync(CancellationToken.None));
        Assert.Equal(2, probes);
    }

    [Fact]
    public async Task Concurrent_health_requests_share_one_probe()
    {
        var probes = 0;
        var answer = new TaskCompletionSource<bool>();
        var readiness = new ReadinessCache(
            _ =>
            {
                Interlocked.Increment(ref probes);
                return answer.Task;
            },
            new FakeTimeProvider());

        var waiting = Enumerable.Range(0, 50).Select(_ => readiness.IsReadyAsync(CancellationToken.None)).ToList();
        answer.SetResult(false);

        Assert.All(await Task.WhenAll(waiting), Assert.False);
        Assert.Equal(1, probes);
    }
}
