using Connect.Domain.Applications;
using Dapper;
using Npgsql;

namespace Connect.Testing.Signals;

/// <summary>
/// The outbox of signals (docs/contract/signals.md) as a test sees it: receivers added straight into the table (the
/// revocation statements read nothing else of a receiver) and the signals read back as the database holds them.
/// </summary>
public static class SignalOutbox
{
    /// <summary>A receiver of <paramref name="application"/>; its id.</summary>
    public static async Task<Guid> AddReceiverAsync(string connectionString, AppId application, string format = "caep")
    {
        var id = Guid.CreateVersion7();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO signal_receivers (id, application_id, url, format, audience)
            VALUES (@Id, @Application, 'https://receiver.example/signals', @Format, 'receiver')
            """,
            new { Id = id, Application = application.Value, Format = format });
        return id;
    }

    /// <summary>Every signal in the outbox, in the order they were written.</summary>
    public static async Task<IReadOnlyList<OutboxSignal>> ReadAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return [.. await connection.QueryAsync<OutboxSignal>(
            """
            SELECT receiver_id AS receiverid, subject, sid, initiating_entity AS initiatingentity, ended_at AS endedat,
                   committed_at AS committedat, state
              FROM signals ORDER BY id
            """)];
    }
}

/// <summary>One row of <c>signals</c>, its times in UTC.</summary>
public sealed record OutboxSignal(
    Guid ReceiverId, string Subject, string? Sid, string InitiatingEntity, DateTime EndedAt, DateTime CommittedAt, string State);
