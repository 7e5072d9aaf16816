using Connect.Application.Signals;
using Connect.Domain.Signals;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>The receiver registry's races against a real PostgreSQL: what a concurrent writer cannot slip past.</summary>
public sealed class PostgresSignalReceiverRegistryTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private ISignalReceiverRegistry Receivers => _db.Services.GetRequiredService<ISignalReceiverRegistry>();

    [Fact]
    public async Task Removal_waits_for_a_revocation_still_writing_the_receivers_signals_and_counts_them()
    {
        var app = await _db.RegisterApplicationAsync();
        var added = await Receivers.AddAsync(app.Anchor, "https://rp.example/", SignalFormat.Caep, "rp", 16, CancellationToken.None);
        await InsertSignalAsync(null, added.Receiver);
        await using var revocation = new NpgsqlConnection(_db.ConnectionString);
        await revocation.OpenAsync();
        await using var uncommitted = await revocation.BeginTransactionAsync();
        await InsertSignalAsync(revocation, added.Receiver, uncommitted);

        var removing = Receivers.RemoveAsync(app.Anchor, added.Receiver, CancellationToken.None);
        await WaitUntilBlockedOrDoneAsync(removing);
        await uncommitted.CommitAsync();
        var removal = await removing;

        Assert.Equal(new ReceiverRemoval(ReceiverRemovalOutcome.Removed, 2), removal);
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signals"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>(
            "SELECT signal_count FROM revocation_audit WHERE kind = 'receiver_removed' AND receiver_id = @Receiver",
            new { Receiver = added.Receiver.Value }));
    }

    [Fact]
    public async Task Concurrent_additions_never_pass_the_limit()
    {
        var app = await _db.RegisterApplicationAsync();

        var additions = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Receivers.AddAsync(app.Anchor, $"https://rp-{i}.example/", SignalFormat.Caep, "rp", 3, CancellationToken.None)));

        Assert.Equal(3, additions.Count(addition => addition.Outcome == ReceiverAdditionOutcome.Added));
        Assert.Equal(3, (await Receivers.ListAsync(app.Anchor, CancellationToken.None))!.Count);
    }

    private async Task InsertSignalAsync(NpgsqlConnection? connection, ReceiverId receiver, NpgsqlTransaction? transaction = null)
    {
        await using var own = connection is null ? new NpgsqlConnection(_db.ConnectionString) : null;
        await (connection ?? own!).ExecuteAsync(
            "INSERT INTO signals (receiver_id, subject, initiating_entity, ended_at) VALUES (@Receiver, 'subject', 'admin', now())",
            new { Receiver = receiver.Value },
            transaction);
    }

    // The removal's lock on the receiver queues behind the uncommitted insert's key-share lock; a removal that did not
    // wait finishes instead, and then misses the signal committed after it.
    private async Task WaitUntilBlockedOrDoneAsync(Task removing)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        while (!removing.IsCompleted && await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0)
        {
            await Task.Delay(20);
        }
    }
}
