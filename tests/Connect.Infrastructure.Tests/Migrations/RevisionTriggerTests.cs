using Connect.Application.ClientAuthentication;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Migrations;

/// <summary>
/// Every way of changing an application's keys moves its revision, so that no instance can accept a request
/// against a copy kept from before the change (the replay record is written only at the current revision).
/// </summary>
public sealed class RevisionTriggerTests
{
    [Fact]
    public async Task Truncating_the_keys_moves_every_application_revision_and_a_kept_copy_records_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var other = await db.RegisterApplicationAsync();
        var (appRevision, otherRevision) = (await db.CurrentRevisionAsync(app.Anchor), await db.CurrentRevisionAsync(other.Anchor));

        await ExecuteAsync(db, "TRUNCATE application_keys");

        Assert.True(await db.CurrentRevisionAsync(app.Anchor) > appRevision);
        Assert.True(await db.CurrentRevisionAsync(other.Anchor) > otherRevision);
        var recording = await db.Services.GetRequiredService<IClientJwtReplayStore>().TryRecordFirstUseAsync(
            app.Id, appRevision, "jti-1", DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        Assert.Equal(JtiRecording.ApplicationChanged, recording);
    }

    [Theory]
    [InlineData("UPDATE application_keys SET retired_at = now()")]
    [InlineData("DELETE FROM application_keys")]
    [InlineData("UPDATE applications SET enabled = false")]
    public async Task Changes_applied_as_a_replica_move_the_revision(string change)
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);

        await ExecuteAsync(db, $"SET session_replication_role = replica; {change}; RESET session_replication_role");

        Assert.True(await db.CurrentRevisionAsync(app.Anchor) > revision);
    }

    [Theory]
    [InlineData("SET session_replication_role = replica; DELETE FROM signing_keys; RESET session_replication_role")]
    [InlineData("SET session_replication_role = replica; UPDATE signing_keys SET removed_at = now(); RESET session_replication_role")]
    [InlineData("TRUNCATE signing_keys")]
    public async Task Signing_keys_removed_behind_the_triggers_back_still_move_the_revision(string change)
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        await ExecuteAsync(db, $"""
            INSERT INTO signing_keys (application_id, generation, key_id, public_key_spki, private_key_nonce, private_key_tag,
                                      private_key_ciphertext, created_at, current_from, signs_until)
            VALUES ('{app.Id.Value}', 1, 'kid-1', '\x00', '\x{new string('0', 24)}', '\x{new string('0', 32)}', '\x00', now(), now(), now())
            """);
        var revision = await db.CurrentRevisionAsync(app.Anchor);

        await ExecuteAsync(db, change);

        Assert.True(await db.CurrentRevisionAsync(app.Anchor) > revision);
    }

    private static async Task ExecuteAsync(ConnectTestDatabase db, string sql)
    {
        await using var connection = await db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }
}
