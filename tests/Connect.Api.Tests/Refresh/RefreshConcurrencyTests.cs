using System.Collections.Concurrent;
using System.Net;
using Connect.Application.Administration.IssueSessions;
using Dapper;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// docs/contract/sessions.md's guarantees under concurrency, over real HTTP (loopback Kestrel, a connection per client) and the
/// real database: one version is rotated at most once on any number of instances, every 200 among concurrent
/// presentations carries the same refresh token, and nothing refreshes once revoke-all has answered.
/// </summary>
public sealed class RefreshConcurrencyTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    private const int Concurrent = 24;

    [Fact]
    public async Task Twenty_four_simultaneous_refreshes_on_one_instance_make_one_version_and_answer_one_token()
    {
        var session = await target.IssueAsync();

        var answers = await FireAtOnceAsync(session.RefreshToken, [target.Service]);

        await AssertOneRotationAsync(session, answers);
    }

    [Fact]
    public async Task Twenty_four_simultaneous_refreshes_across_two_instances_make_one_version_and_answer_one_token()
    {
        var second = target.StartInstance();
        var session = await target.IssueAsync();

        var answers = await FireAtOnceAsync(session.RefreshToken, [target.Service, second]);

        await AssertOneRotationAsync(session, answers);
    }

    [Fact]
    public async Task Once_revoke_all_has_answered_no_refresh_succeeds_and_its_count_is_the_sessions_it_ended()
    {
        var second = target.StartInstance();
        var account = await target.Db.Accounts.CreateAccountAsync(CancellationToken.None);
        var issued = await target.Services.GetRequiredService<IMediator>().Send(
            new IssueSessionsCommand(account, target.App.Anchor.Value, 6, IssueSessionsCommand.DefaultExpiresInSeconds));
        var sessions = issued.Value!.Sessions.Select(s => new Issued(target.App, account, s.SessionId, s.RefreshToken)).ToList();
        var revokeAllAnswered = 0;
        var successesAfterRevokeAll = new ConcurrentBag<string>();
        var started = new CountdownEvent(sessions.Count);

        var refreshers = sessions.Select((session, index) => Task.Run(async () =>
        {
            using var client = (index % 2 == 0 ? target.Service : second).NewClient();
            var token = session.RefreshToken;
            for (var round = 0; round < 500; round++)
            {
                var sentAfterRevokeAll = Volatile.Read(ref revokeAllAnswered) == 1;
                var response = await target.RefreshAsync(token, client);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await RefreshAssert.ReasonAsync(response, HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
                    return token;
                }

                if (sentAfterRevokeAll)
                {
                    successesAfterRevokeAll.Add(session.SessionId);
                }

                token = (await RefreshAssert.RefreshedAsync(response)).Refresh;
                if (round == 1)
                {
                    started.Signal();
                }
            }

            throw new InvalidOperationException("revoke-all never stopped this session's refreshes");
        })).ToList();
        Assert.True(started.Wait(TimeSpan.FromSeconds(60)), "the refreshers never got going");

        var revokeAll = await target.RevokeAllAsync(sessions[0], second.Client);
        Interlocked.Exchange(ref revokeAllAnswered, 1);
        var lastTokens = await Task.WhenAll(refreshers);

        var count = await ApiAssert.RevokedCountAsync(revokeAll);
        Assert.Empty(successesAfterRevokeAll);
        var rows = await Task.WhenAll(sessions.Select(session => target.RowAsync(session.SessionId)));
        Assert.All(rows, row => Assert.Equal("revoke_all", row.RevokedReason));
        Assert.Equal(sessions.Count, count);
        Assert.All(rows, row => Assert.True(row.Version >= 3, $"only {row.Version - 1} rotations before revoke-all"));
        foreach (var token in lastTokens)
        {
            await RefreshAssert.ReasonAsync(await target.RefreshAsync(token), HttpStatusCode.Unauthorized, "RefreshTokenRevoked");
        }
    }

    [Fact]
    public async Task Presentations_held_behind_the_row_lock_lose_the_write_and_adopt_the_winner()
    {
        // Every presentation's statement starts (its snapshot: version 1, rotation allowed) while the row is locked,
        // so all but one lose the conditional write once it is released: the lost-race path, deterministically.
        var session = await target.IssueAsync();
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT 1 FROM sessions WHERE sid = @Sid FOR UPDATE", new { Sid = session.SessionId }, transaction);

        // Pools wide enough for every presentation to hold a connection while it waits on the row, and statements
        // allowed to wait for as long as the test holds it.
        var pools = new Dictionary<string, string?>
        {
            ["Connect:Postgres:MaxPoolSize"] = (Concurrent / 2).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Connect:Postgres:CommandTimeoutSeconds"] = "120",
        };
        var answers = FireAtOnceAsync(session.RefreshToken, [target.StartInstance(pools), target.StartInstance(pools)]);
        await WaitForBlockedAsync(Concurrent, answers);
        await transaction.CommitAsync();

        await AssertOneRotationAsync(session, await answers);
    }

    [Fact]
    public async Task Rotation_that_loses_to_a_session_two_versions_ahead_revokes_it_and_answers_an_empty_401()
    {
        var session = await target.IssueAsync();
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Two rotations by others, committed only once this presentation is waiting on the row.
        await connection.ExecuteAsync(
            """
            UPDATE sessions SET rotation_version = 3, previous_jti = 'second-rotation-jti', current_jti = 'third-rotation-jti'
             WHERE sid = @Sid
            """,
            new { Sid = session.SessionId }, transaction);

        var answer = target.RefreshAsync(session.RefreshToken);
        await WaitForBlockedAsync(1, answer);
        await transaction.CommitAsync();

        await ApiAssert.EmptyAsync(await answer, HttpStatusCode.Unauthorized);
        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((3, "rotation_race_lost", 1L, "reuse_detected"), (row.Version, row.RevokedReason, row.Audits, row.AuditKinds));
    }

    /// <summary>
    /// <see cref="Concurrent"/> presentations of one token, spread over the instances, each on a client (and so a
    /// connection) of its own, released together once every request is ready.
    /// </summary>
    private async Task<(HttpStatusCode Status, string Body)[]> FireAtOnceAsync(string token, IReadOnlyList<ServiceInstance> instances)
    {
        var clients = Enumerable.Range(0, Concurrent).Select(i => instances[i % instances.Count].NewClient()).ToList();
        try
        {
            // Warm each connection first, so that the presentations race each other, not their TCP handshakes.
            await Task.WhenAll(clients.Select(client => client.GetAsync(new Uri("/health", UriKind.Relative))));
            // An asynchronous barrier: no thread blocks while the others get ready (on two cores a blocking barrier
            // starves the pool), and the release queues every presentation at once.
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var ready = 0;
            var presentations = clients.Select(client => Task.Run(async () =>
            {
                if (Interlocked.Increment(ref ready) == Concurrent)
                {
                    go.SetResult();
                }

                await go.Task;
                var response = await target.RefreshAsync(token, client);
                return (response.StatusCode, await response.Content.ReadAsStringAsync());
            })).ToList();
            return await Task.WhenAll(presentations);
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    private async Task<NpgsqlConnection> OpenAsync() =>
        await target.Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();

    /// <summary>Waits until <paramref name="count"/> backends of this database wait on a lock (the locked row).</summary>
    private async Task WaitForBlockedAsync(int count, Task requests)
    {
        // Its own connection: inside the locking transaction pg_stat_activity would stay the snapshot of its first read.
        await using var connection = await OpenAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") < count)
        {
            Assert.False(requests.IsCompleted, "the requests were answered while the row was locked");
            Assert.True(DateTime.UtcNow < deadline, "the presentations never reached the locked row");
            await Task.Delay(20);
        }
    }

    private async Task AssertOneRotationAsync(Issued session, (HttpStatusCode Status, string Body)[] answers)
    {
        Assert.All(answers, answer => Assert.True(answer.Status == HttpStatusCode.OK, $"{(int)answer.Status} {answer.Body}"));
        var refreshTokens = answers
            .Select(answer => System.Text.Json.JsonDocument.Parse(answer.Body).RootElement.GetProperty("refreshToken").GetString())
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var only = Assert.Single(refreshTokens);
        var row = await target.RowAsync(session.SessionId);
        Assert.Equal((2, RefreshTarget.Claims(only!).GetProperty("jti").GetString(), (DateTime?)null), (row.Version, row.CurrentJti, row.RevokedAt));
    }
}
