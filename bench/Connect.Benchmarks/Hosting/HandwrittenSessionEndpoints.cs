using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Connect.Application.Introspect;
using Connect.Application.Refresh;
using Connect.Application.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using Connect.Infrastructure.Postgres;
using Npgsql;

namespace Connect.Benchmarks.Hosting;

/// <summary>
/// The hand-written baselines of <c>POST /refresh</c> and <c>POST /introspect</c>: docs/contract/sessions.md's checks in their
/// order with the same token component (<see cref="SessionTokenCodec"/>: read, verify, mint), the same kept keys
/// (<see cref="HandwrittenSigningKeys"/>: decrypted once and held), the same pure judgements
/// (<see cref="RefreshRules"/>, <see cref="SessionStatusRules"/>), the same SQL (the adapters' constants, one
/// pooled connection per statement) and the same per-application rate budget; no MVC, MediatR, validation, Dapper
/// or layers. What a refresh does beyond a rotation (adopting within the grace window, a lost race) the bench never
/// asks for, since no session is presented twice in a batch: those answer 500 here rather than pretend.
/// </summary>
internal sealed class HandwrittenSessionEndpoints(
    NpgsqlDataSource database, HandwrittenSigningKeys keys, SessionTokenCodec tokens, PartitionedRateLimiter<string> budget, int recheckSeconds)
{
    /// <summary>RawJsonBodyAttribute.TokenBodyBytes: a body that carries one session token.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    private static readonly TimeSpan GraceWindow = TimeSpan.FromSeconds(RefreshOptions.DefaultRefreshGraceSeconds);

    private static readonly byte[] RefreshTokenMember = "refreshToken"u8.ToArray();
    private static readonly byte[] AccessTokenMember = "accessToken"u8.ToArray();

    internal static readonly byte[] Claims =
        ""","claims":{"email":{"requirement":"OFF","state":"UNKNOWN"},"firstName":{"requirement":"OFF","state":"UNKNOWN"},"lastName":{"requirement":"OFF","state":"UNKNOWN"},"staticAvatar":{"requirement":"OFF","state":"UNKNOWN"},"animatedAvatar":{"requirement":"OFF","state":"UNKNOWN"}}}"""u8.ToArray();

    public async Task RefreshAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            if (await ReadTokenAsync(context, RefreshTokenMember, pragma: true) is not { } presented)
            {
                return;
            }

            // Steps 3-5: structure, the application aud names, the signature under its published key kid names.
            var read = tokens.ReadRefresh(presented);
            if (!read.Succeeded)
            {
                await FailAsync(context, read.Failure!, pragma: true);
                return;
            }

            var unverified = read.Value!;
            var claims = unverified.Claims;
            var now = TimeProvider.System.GetUtcNow();
            var kept = await keys.ByAnchorAsync(claims.Audience, cancellationToken);
            if (kept is null)
            {
                await FailAsync(context, ReasonCode.RefreshTokenInvalid, pragma: true);
                return;
            }

            if (kept.Published(unverified.KeyId, now) is not { } verification || !tokens.Verifies(unverified, verification))
            {
                await FailAsync(context, ReasonCode.RefreshTokenInvalidSignature, pragma: true);
                return;
            }

            if (!Spend(kept.Anchor))
            {
                context.Response.Headers.RetryAfter = "1";
                await FailAsync(context, ReasonCode.RateLimited, pragma: true);
                return;
            }

            // The next version is minted before the write, with the jti the write stores, by the key that signs now.
            var anchor = new ApplicationAnchor(claims.Audience);
            var sessionExpiresAt = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt);
            if (kept.Current(now) is not { } current)
            {
                await FailAsync(context, ReasonCode.RefreshTokenInvalid, pragma: true);
                return;
            }

            if (current.Stored.SignsUntil < sessionExpiresAt)
            {
                await keys.ExtendSignsUntilAsync(kept, current.Stored, sessionExpiresAt, cancellationToken);
            }

            var next = tokens.NewRefreshClaims(anchor, claims.SessionId, claims.RotationVersion + 1, sessionExpiresAt);
            var nextToken = tokens.Mint(next, current.Key);
            var (rotated, before, revision) = await RotateAsync(kept.Application, kept.Revision, claims, next, current.Key.KeyId, now, cancellationToken);
            if (revision != kept.Revision)
            {
                // The statement confirmed the kept keys and found them stale, so it rotated nothing. The service
                // judges the request again with fresh keys; the bench changes no application while it measures.
                keys.Forget(kept);
                await FailAsync(context, ReasonCode.InternalError, pragma: true);
                return;
            }

            if (rotated && before?.Subject is { } subject)
            {
                var access = tokens.Mint(tokens.NewAccessClaims(anchor, subject, claims.SessionId, before.ExpiresAt, before.AccessTokenTtlSeconds), current.Key);
                await AnswerRefreshAsync(context.Response, access, nextToken);
                return;
            }

            // Steps 7-11 on the statement's own snapshot, as the service judges a rotation that changed nothing.
            switch (RefreshRules.Judge(before, kept.Application, claims.RotationVersion, claims.TokenId, now, GraceWindow))
            {
                case RefreshVerdict.Invalid:
                    await FailAsync(context, ReasonCode.RefreshTokenInvalid, pragma: true);
                    return;
                case RefreshVerdict.Revoked:
                    await FailAsync(context, ReasonCode.RefreshTokenRevoked, pragma: true);
                    return;
                case RefreshVerdict.Expired:
                    await FailAsync(context, ReasonCode.RefreshTokenExpired, pragma: true);
                    return;
                case RefreshVerdict.ApplicationDisabled:
                    await FailAsync(context, ReasonCode.ApplicationDisabled, pragma: true);
                    return;
                case RefreshVerdict.Reuse:
                    await EndAsync(before!.Id, now, cancellationToken);
                    await FailAsync(context, ReasonCode.RefreshTokenFamilyCompromised, pragma: true);
                    return;
                default:
                    await FailAsync(context, ReasonCode.InternalError, pragma: true);
                    return;
            }
        }
        catch (NpgsqlException)
        {
            context.Response.Headers.RetryAfter = "5";
            await FailAsync(context, ReasonCode.ServiceUnavailable, pragma: true);
        }
    }

    public async Task IntrospectAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            if (await ReadTokenAsync(context, AccessTokenMember, pragma: false) is not { } presented)
            {
                return;
            }

            var read = tokens.ReadAccess(presented);
            if (!read.Succeeded)
            {
                await FailAsync(context, read.Failure!, pragma: false);
                return;
            }

            var unverified = read.Value!;
            var now = TimeProvider.System.GetUtcNow();
            var kept = await keys.ByAnchorAsync(unverified.Claims.Audience, cancellationToken);
            if (kept is null)
            {
                await FailAsync(context, ReasonCode.AccessTokenInvalid, pragma: false);
                return;
            }

            if (kept.Published(unverified.KeyId, now) is not { } verification || !tokens.Verifies(unverified, verification))
            {
                await FailAsync(context, ReasonCode.AccessTokenInvalidSignature, pragma: false);
                return;
            }

            if (!Spend(kept.Anchor))
            {
                context.Response.Headers.RetryAfter = "1";
                await FailAsync(context, ReasonCode.RateLimited, pragma: false);
                return;
            }

            // The session and the application's revision in one statement, as the service reads them.
            SessionState? session;
            long? revision;
            await using (var connection = await database.OpenConnectionAsync(cancellationToken))
            await using (var find = new NpgsqlCommand(PostgresSessionStore.FindWithRevisionSql, connection))
            {
                find.Parameters.AddWithValue("Sid", unverified.Claims.SessionId);
                find.Parameters.AddWithValue("Application", kept.Application.Value);
                await using var row = await find.ExecuteReaderAsync(cancellationToken);
                await row.ReadAsync(cancellationToken);
                (session, revision) = (ReadSession(row), ReadRevision(row));
            }

            if (revision != kept.Revision)
            {
                // Stale keys: the service verifies and reads again; the bench changes no application while it measures.
                keys.Forget(kept);
                await FailAsync(context, ReasonCode.InternalError, pragma: false);
                return;
            }

            var token = new VerifiedSessionToken<AccessTokenClaims>(kept.Application, new ApplicationAnchor(kept.Anchor), unverified.KeyId, unverified.Claims);
            var status = SessionStatusRules.Judge(session, token, now) switch
            {
                SessionStatus.Active => "active",
                SessionStatus.Revoked => "revoked",
                SessionStatus.Expired => "expired",
                _ => "not_found",
            };
            await AnswerAsync(
                context.Response,
                Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"status":"{{status}}","recommendedRecheckSeconds":{{recheckSeconds}}}""")),
                pragma: false);
        }
        catch (NpgsqlException)
        {
            context.Response.Headers.RetryAfter = "5";
            await FailAsync(context, ReasonCode.ServiceUnavailable, pragma: false);
        }
    }

    private bool Spend(string anchor)
    {
        using var lease = budget.AttemptAcquire(anchor);
        return lease.IsAcquired;
    }

    private async Task<(bool Rotated, SessionState? Before, long? Revision)> RotateAsync(
        AppId application, long revision, RefreshTokenClaims presented, RefreshTokenClaims next, string keyId, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var rotate = new NpgsqlCommand(PostgresSessionStore.RotateSql, connection);
        rotate.Parameters.AddWithValue("Sid", presented.SessionId);
        rotate.Parameters.AddWithValue("Application", application.Value);
        rotate.Parameters.AddWithValue("FromVersion", presented.RotationVersion);
        rotate.Parameters.AddWithValue("PresentedJti", presented.TokenId);
        rotate.Parameters.AddWithValue("NewJti", next.TokenId);
        rotate.Parameters.AddWithValue("RotatedAt", DateTimeOffset.FromUnixTimeSeconds(next.IssuedAt));
        rotate.Parameters.AddWithValue("KeyId", keyId);
        rotate.Parameters.AddWithValue("Now", now);
        rotate.Parameters.AddWithValue("ApplicationRevision", revision);

        // Always one row: the session as the statement's snapshot saw it (null columns when there is none) and the
        // application's revision, which the write was conditional on.
        await using var row = await rotate.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return (row.GetInt64(row.GetOrdinal("rotated")) == 1, ReadSession(row), ReadRevision(row));
    }

    private async Task EndAsync(SessionId session, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var end = new NpgsqlCommand(PostgresSessionStore.EndSql, connection);
        end.Parameters.AddWithValue("Sid", session.Value);
        end.Parameters.AddWithValue("Reason", "reuse_detected");
        end.Parameters.AddWithValue("Kind", "reuse_detected");
        end.Parameters.AddWithValue("InitiatingEntity", "policy");
        end.Parameters.AddWithValue("Now", now);
        await end.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The columns the adapter's SessionColumns name, by name (as Dapper maps them).</summary>
    private static long? ReadRevision(NpgsqlDataReader row) =>
        row.IsDBNull(row.GetOrdinal("applicationrevision")) ? null : row.GetInt64(row.GetOrdinal("applicationrevision"));

    /// <summary>The session columns of the statement's one row, or null when it found no session.</summary>
    private static SessionState? ReadSession(NpgsqlDataReader row)
    {
        if (row.IsDBNull(row.GetOrdinal("sid")))
        {
            return null;
        }

        DateTimeOffset Utc(string column) => new(DateTime.SpecifyKind(row.GetDateTime(row.GetOrdinal(column)), DateTimeKind.Utc));
        string? Text(string column) => row.IsDBNull(row.GetOrdinal(column)) ? null : row.GetString(row.GetOrdinal(column));
        return new SessionState(
            new SessionId(row.GetString(row.GetOrdinal("sid"))),
            new AppId(row.GetGuid(row.GetOrdinal("applicationid"))),
            new AccountId(row.GetGuid(row.GetOrdinal("accountid"))),
            Text("subject") is { } subject ? new SectorSubject(subject) : null,
            row.GetBoolean(row.GetOrdinal("applicationenabled")),
            row.GetInt32(row.GetOrdinal("rotationversion")),
            row.GetString(row.GetOrdinal("currentjti")),
            Text("previousjti"),
            Utc("rotatedat"),
            Text("currentkeyid"),
            Utc("expiresat"),
            row.IsDBNull(row.GetOrdinal("revokedat")) ? null : Utc("revokedat"),
            AccessTokenTtlSeconds: row.IsDBNull(row.GetOrdinal("accesstokenttlseconds"))
                ? null
                : row.GetInt32(row.GetOrdinal("accesstokenttlseconds")),
            SinceRotation: TimeSpan.FromSeconds(row.GetDouble(row.GetOrdinal("sincerotationseconds"))));
    }

    /// <summary>Steps 1-2: size, media type, and one JSON object whose <paramref name="member"/> is a string of 1..4096 characters.</summary>
    private static async Task<string?> ReadTokenAsync(HttpContext context, byte[] member, bool pragma)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBodyBytes)
        {
            await FailAsync(context, ReasonCode.BodyTooLarge, pragma);
            return null;
        }

        if (!HandwrittenRevokeAll.IsJson(request))
        {
            await FailAsync(context, ReasonCode.UnsupportedMediaType, pragma);
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), context.RequestAborted)) > 0)
            {
                length += read;
                if (length > MaxBodyBytes)
                {
                    await FailAsync(context, ReasonCode.BodyTooLarge, pragma);
                    return null;
                }
            }

            // The service's own rule (4096 bytes of UTF-8), so this host refuses exactly the strings the service does.
            if (ReadMember(buffer.AsSpan(0, length), member) is not { Length: > 0 } token || !SessionTokenLimits.IsWithinMaxLength(token))
            {
                await FailAsync(context, ReasonCode.InvalidBody, pragma);
                return null;
            }

            return token;
        }
        finally
        {
            buffer.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>One JSON object; the member, if present once, a string; unknown members ignored, duplicates refused.</summary>
    private static string? ReadMember(ReadOnlySpan<byte> body, ReadOnlySpan<byte> member)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? value = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!seen.Add(reader.GetString()!))
                {
                    return null;
                }

                if (!reader.ValueTextEquals(member))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                value = reader.GetString();
            }

            return reader.TokenType != JsonTokenType.EndObject || reader.Read() ? null : value;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task AnswerRefreshAsync(HttpResponse response, string accessToken, string refreshToken)
    {
        // Tokens are base64url and dots: nothing to escape.
        var head = Encoding.ASCII.GetBytes(string.Concat("{\"accessToken\":\"", accessToken, "\",\"refreshToken\":\"", refreshToken, "\""));
        var body = new byte[head.Length + Claims.Length];
        head.CopyTo(body, 0);
        Claims.CopyTo(body, head.Length);
        await AnswerAsync(response, body, pragma: true);
    }

    /// <summary>docs/contract/sessions.md's errors of the body-token endpoints: no challenge header (the token is in the body).</summary>
    internal static async Task FailAsync(HttpContext context, ReasonCode reason, bool pragma)
    {
        var response = context.Response;
        response.StatusCode = reason.Status;
        if (reason.IsPrivate)
        {
            response.Headers.CacheControl = "no-store";
            response.ContentLength = 0;
            return;
        }

        await AnswerAsync(response, Encoding.UTF8.GetBytes($$"""{"reason":"{{reason.Name}}"}"""), pragma);
    }

    /// <summary>As the service answers: whole, with its Content-Length, never cached; /refresh adds Pragma.</summary>
    internal static async Task AnswerAsync(HttpResponse response, byte[] body, bool pragma)
    {
        response.Headers.CacheControl = "no-store";
        if (pragma)
        {
            response.Headers.Pragma = "no-cache";
        }

        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }
}
