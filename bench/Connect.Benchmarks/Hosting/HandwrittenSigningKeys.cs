using System.Collections.Concurrent;
using System.Security.Cryptography;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Infrastructure.Postgres;
using Npgsql;

namespace Connect.Benchmarks.Hosting;

/// <summary>
/// The hand-written baseline's kept copy of each application's token-signing keys: public keys imported once,
/// private keys decrypted once (on first signature) and held, as the service's <see cref="SigningKeyRing"/> does,
/// and the same statements (<see cref="PostgresSigningKeyStore"/>'s constants) to confirm and load it. Key states
/// come from the same pure <see cref="SigningKeyLifecycle"/>.
/// </summary>
internal sealed class HandwrittenSigningKeys(NpgsqlDataSource database, SigningKeyEncryption encryption)
{
    private readonly ConcurrentDictionary<string, Kept> _byAnchor = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<Guid, Kept> _byApplication = new();

    /// <summary>
    /// The application's keys confirmed as issuance confirms them (<see cref="SigningKeyRing.GetCurrentSigningKeyAsync"/>):
    /// its revision read on every use, the keys loaded only when none are kept at that revision. Null when there is
    /// no such application.
    /// </summary>
    public async Task<Kept?> ByApplicationAsync(AppId application, CancellationToken cancellationToken)
    {
        long revision;
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        await using (var read = new NpgsqlCommand(PostgresSigningKeyStore.RevisionByIdSql, connection))
        {
            read.Parameters.AddWithValue("Application", application.Value);
            await using var row = await read.ExecuteReaderAsync(cancellationToken);
            if (!await row.ReadAsync(cancellationToken))
            {
                _byApplication.TryRemove(application.Value, out _);
                return null;
            }

            revision = row.GetInt64(0);
        }

        return _byApplication.TryGetValue(application.Value, out var kept) && kept.Revision == revision
            ? kept
            : await LoadAsync(PostgresSigningKeyStore.LoadByIdSql, "Application", application.Value, cancellationToken);
    }

    /// <summary>
    /// The application named by a token's <c>aud</c>: the kept copy unread, as the service uses its own (the one
    /// session statement then confirms its revision); read (revision, then keys) only when none is kept. Null when
    /// there is no such application.
    /// </summary>
    public async Task<Kept?> ByAnchorAsync(string anchor, CancellationToken cancellationToken)
    {
        if (_byAnchor.TryGetValue(anchor, out var kept))
        {
            return kept;
        }

        long revision;
        await using (var connection = await database.OpenConnectionAsync(cancellationToken))
        await using (var read = new NpgsqlCommand(PostgresSigningKeyStore.RevisionByAnchorSql, connection))
        {
            read.Parameters.AddWithValue("Anchor", anchor);
            await using var row = await read.ExecuteReaderAsync(cancellationToken);
            if (!await row.ReadAsync(cancellationToken))
            {
                _byAnchor.TryRemove(anchor, out _);
                return null;
            }

            revision = row.GetInt64(1);
        }

        return kept?.Revision == revision ? kept : await LoadAsync(PostgresSigningKeyStore.LoadByAnchorSql, "Anchor", anchor, cancellationToken);
    }

    /// <summary>The session statement saw another revision: the copy is stale and is read afresh on its next use.</summary>
    public void Forget(Kept kept) => _byAnchor.TryRemove(new KeyValuePair<string, Kept>(kept.Anchor, kept));

    /// <summary>Raises the key's signs-until before it signs a token that outlives it (the service's statement; rare).</summary>
    public async Task ExtendSignsUntilAsync(Kept kept, StoredSigningKey key, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var extend = new NpgsqlCommand(PostgresSigningKeyStore.ExtendSignsUntilSql, connection);
        extend.Parameters.AddWithValue("Application", kept.Application.Value);
        extend.Parameters.AddWithValue("KeyId", key.KeyId);
        extend.Parameters.AddWithValue("SignsUntil", SigningKeyLifecycle.SignsUntilFor(expiresAt));
        await extend.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<Kept?> LoadAsync(string sql, string parameter, object value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var load = new NpgsqlCommand(sql, connection);
        load.Parameters.AddWithValue(parameter, value);
        await using var rows = await load.ExecuteReaderAsync(cancellationToken);
        Guid application = default;
        string? anchor = null;
        long revision = 0;
        var stored = new List<StoredSigningKey>();
        while (await rows.ReadAsync(cancellationToken))
        {
            application = rows.GetGuid(0);
            anchor = rows.GetString(1);
            revision = rows.GetInt64(2);
            if (rows.IsDBNull(4))
            {
                continue;
            }

            stored.Add(new StoredSigningKey(
                new AppId(application), rows.GetInt32(3), rows.GetString(4), rows.GetFieldValue<byte[]>(5),
                new SealedPrivateKey(rows.GetFieldValue<byte[]>(6), rows.GetFieldValue<byte[]>(7), rows.GetFieldValue<byte[]>(8)),
                Utc(rows.GetDateTime(9)), Utc(rows.GetDateTime(10)), Utc(rows.GetDateTime(11)), rows.IsDBNull(12) ? null : Utc(rows.GetDateTime(12))));
        }

        if (anchor is null)
        {
            return null;
        }

        var kept = new Kept(new AppId(application), anchor, revision, stored, encryption);
        _byAnchor[anchor] = kept;
        _byApplication[application] = kept;
        return kept;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    /// <summary>One application's keys at one revision, each imported once and its private key decrypted once.</summary>
    internal sealed class Kept
    {
        private readonly Dictionary<string, (TokenVerificationKey Verification, Lazy<TokenSigningKey> Signing)> _keys;

        public Kept(AppId application, string anchor, long revision, IReadOnlyList<StoredSigningKey> stored, SigningKeyEncryption encryption)
        {
            Application = application;
            Anchor = anchor;
            Revision = revision;
            Stored = stored;
            _keys = stored.Where(key => key.RemovedAt is null).ToDictionary(
                key => key.KeyId,
                key =>
                {
#pragma warning disable CA2000 // kept for the key's lifetime, as the service keeps it
                    var publicKey = RSA.Create();
#pragma warning restore CA2000
                    publicKey.ImportSubjectPublicKeyInfo(key.PublicKeySpki, out _);
                    return (new TokenVerificationKey(key.KeyId, publicKey),
                        new Lazy<TokenSigningKey>(() => encryption.OpenSigningKey(key), LazyThreadSafetyMode.PublicationOnly));
                },
                StringComparer.Ordinal);
        }

        public AppId Application { get; }

        public string Anchor { get; }

        public long Revision { get; }

        public IReadOnlyList<StoredSigningKey> Stored { get; }

        /// <summary>The published (next, current or retiring) key with this id, or null.</summary>
        public TokenVerificationKey? Published(string keyId, DateTimeOffset now) =>
            SigningKeyLifecycle.Published(Stored.ToList(), now).Any(key => key.KeyId == keyId) ? _keys[keyId].Verification : null;

        public (StoredSigningKey Stored, TokenSigningKey Key)? Current(DateTimeOffset now) =>
            SigningKeyLifecycle.Current(Stored, now) is { } current ? (current, _keys[current.KeyId].Signing.Value) : null;
    }
}
