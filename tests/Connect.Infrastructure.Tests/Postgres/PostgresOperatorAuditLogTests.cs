using Connect.Application.Audit;
using Connect.Domain.Applications;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresOperatorAuditLogTests : IAsyncLifetime
{
    private ConnectTestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await ConnectTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private IOperatorAuditLog Operators => _db.Services.GetRequiredService<IOperatorAuditLog>();

    private IRevocationAuditLog Audit => _db.Services.GetRequiredService<IRevocationAuditLog>();

    [Fact]
    public async Task An_operator_change_is_listed_with_its_application_and_key_and_no_account()
    {
        var app = await _db.RegisterApplicationAsync();

        await Operators.RecordAsync(new OperatorAuditEvent(AuditKinds.ClientKeyRetired, app.Anchor, app.KeyId.Value), CancellationToken.None);
        await Operators.RecordAsync(new OperatorAuditEvent(AuditKinds.ApplicationDisabled, app.Anchor), CancellationToken.None);

        var events = await Audit.ListNewestFirstAsync(app.Anchor, 10, CancellationToken.None);
        Assert.Equal(
            [(AuditKinds.ApplicationDisabled, null, null, 0), (AuditKinds.ClientKeyRetired, null, app.KeyId.Value, 0)],
            events!.Select(e => (e.Kind, e.Account, e.KeyId, e.RevokedCount)));
    }

    [Fact]
    public async Task A_change_to_an_application_that_does_not_exist_writes_nothing()
    {
        await Operators.RecordAsync(new OperatorAuditEvent(AuditKinds.ApplicationEnabled, new ApplicationAnchor("nobody")), CancellationToken.None);

        Assert.Empty((await Audit.ListNewestFirstAsync(null, 10, CancellationToken.None))!);
    }

    [Theory]
    [InlineData("client_key_added", null)]
    [InlineData("application_enabled", "kid")]
    [InlineData("something_else", null)]
    public async Task The_table_refuses_an_event_without_the_fields_its_kind_needs(string kind, string? keyId)
    {
        var app = await _db.RegisterApplicationAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            Operators.RecordAsync(new OperatorAuditEvent(kind, app.Anchor, keyId), CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
    }

    [Fact]
    public async Task The_table_refuses_a_session_event_without_its_account()
    {
        var app = await _db.RegisterApplicationAsync();
        await using var connection = await _db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO revocation_audit (application_id, kind, revoked_count) VALUES (@Id, 'revoke_all', 1)", new { Id = app.Id.Value }));

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
    }
}
