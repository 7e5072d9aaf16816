using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.Inquiries;
using Connect.Application.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Infrastructure.Postgres;
using Connect.Infrastructure.Postgres.Administration;
using Connect.Infrastructure.Postgres.Inquiries;
using Npgsql;

namespace Connect.Benchmarks.Hosting;

/// <summary>
/// The hand-written baseline of <c>POST /redeem</c> (docs/contract/sign-in.md): the redemption's checks in the handler's
/// order, the same SQL and round trips (the adapters' constants: the inquiry with its application and account, the
/// subject read with it or, on a first sign-in, issued, the application's revision confirming the kept signing keys,
/// the one conditional statement that redeems and begins the session), the same token component and kept keys as
/// the other hand-written session endpoints; no MVC, MediatR, validation, Dapper or layers. A redemption that loses a
/// race (the bench never presents an inquiry twice in a batch) answers InquiryAlreadyRedeemed without judging it
/// again.
/// </summary>
internal sealed class HandwrittenRedeem(NpgsqlDataSource database, HandwrittenSigningKeys keys, SessionTokenCodec tokens, int maxBodyBytes)
{
    private static readonly byte[] ExposureKeyMember = "exposureKey"u8.ToArray();
    private static readonly byte[] HiddenKeyMember = "hiddenKey"u8.ToArray();
    private static readonly byte[] ConfirmationKeyMember = "confirmationKey"u8.ToArray();

    public async Task RedeemAsync(HttpContext context)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            if (await ReadKeysAsync(context) is not { } presented)
            {
                return;
            }

            var (exposureKey, hiddenKey, confirmationKey) = presented;
            var inquiry = await FindAsync(exposureKey, cancellationToken);
            var now = TimeProvider.System.GetUtcNow();
            if (Judge(inquiry, hiddenKey, confirmationKey, now) is { } refusal)
            {
                await Fail(context, refusal);
                return;
            }

            if ((inquiry!.Subject ?? await IssueSubjectAsync(inquiry.AccountId, inquiry.SectorId, cancellationToken)) is not { } subject)
            {
                await Fail(context, ReasonCode.AccountNotFound);
                return;
            }

            var issuedAt = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
            var expiresAt = issuedAt.AddSeconds(inquiry.RefreshTokenTtlSeconds ?? IssueSessionsCommand.DefaultExpiresInSeconds);
            var application = new AppId(inquiry.ApplicationId);
            if (await keys.ByApplicationAsync(application, cancellationToken) is not { } kept || kept.Current(now) is not { } current)
            {
                await Fail(context, ReasonCode.InquiryApplicationNotFound);
                return;
            }

            if (current.Stored.SignsUntil < expiresAt)
            {
                await keys.ExtendSignsUntilAsync(kept, current.Stored, expiresAt, cancellationToken);
            }

            var anchor = new ApplicationAnchor(inquiry.Anchor);
            var sessionId = SessionTokenCodec.NewOpaqueId();
            var refresh = new RefreshTokenClaims(
                tokens.Issuer, anchor.Value, sessionId, SessionTokenCodec.NewOpaqueId(), issuedAt.ToUnixTimeSeconds(),
                expiresAt.ToUnixTimeSeconds(), RotationVersion: 1);
            var access = tokens.NewAccessClaims(anchor, new SectorSubject(subject), sessionId, expiresAt, inquiry.AccessTokenTtlSeconds);

            int written;
            await using (var connection = await database.OpenConnectionAsync(cancellationToken))
            await using (var redeem = new NpgsqlCommand(PostgresInquiryStore.RedeemSql, connection))
            {
                redeem.Parameters.AddWithValue("Inquiry", inquiry.Id);
                redeem.Parameters.AddWithValue("Application", inquiry.ApplicationId);
                redeem.Parameters.AddWithValue("Account", inquiry.AccountId);
                redeem.Parameters.AddWithValue("KeyHash", inquiry.ConfirmationKeyHash!);
                redeem.Parameters.AddWithValue("Sid", sessionId);
                redeem.Parameters.AddWithValue("Jti", refresh.TokenId);
                redeem.Parameters.AddWithValue("KeyId", current.Key.KeyId);
                redeem.Parameters.AddWithValue("IssuedAt", issuedAt);
                redeem.Parameters.AddWithValue("ExpiresAt", expiresAt);
                redeem.Parameters.AddWithValue("AccessTokenTtlSeconds", (object?)inquiry.AccessTokenTtlSeconds ?? DBNull.Value);
                redeem.Parameters.AddWithValue("Now", TimeProvider.System.GetUtcNow());
                written = await redeem.ExecuteNonQueryAsync(cancellationToken);
            }

            if (written != 1)
            {
                await Fail(context, ReasonCode.InquiryAlreadyRedeemed);
                return;
            }

            // Tokens are base64url and dots, the anchor a registered one: nothing to escape.
            var head = Encoding.UTF8.GetBytes(string.Concat(
                "{\"applicationAnchor\":\"", anchor.Value, "\",\"accessToken\":\"", tokens.Mint(access, current.Key),
                "\",\"refreshToken\":\"", tokens.Mint(refresh, current.Key), "\""));
            var body = new byte[head.Length + HandwrittenSessionEndpoints.Claims.Length];
            head.CopyTo(body, 0);
            HandwrittenSessionEndpoints.Claims.CopyTo(body, head.Length);
            await HandwrittenSessionEndpoints.AnswerAsync(context.Response, body, pragma: true);
        }
        catch (NpgsqlException)
        {
            context.Response.Headers.RetryAfter = "5";
            await Fail(context, ReasonCode.ServiceUnavailable);
        }
    }

    private static Task Fail(HttpContext context, ReasonCode reason) => HandwrittenSessionEndpoints.FailAsync(context, reason, pragma: true);

    /// <summary>RedeemHandler's checks in its order; null when the inquiry may be redeemed.</summary>
    private static ReasonCode? Judge(FoundInquiry? inquiry, string hiddenKey, string confirmationKey, DateTimeOffset now)
    {
        if (inquiry is null || !InquiryKeys.Matches(hiddenKey, inquiry.HiddenKeyHash))
        {
            return ReasonCode.InquiryNotFound;
        }

        if (inquiry.RedeemedAt is not null)
        {
            return ReasonCode.InquiryAlreadyRedeemed;
        }

        if (inquiry.ExpiresAt <= now)
        {
            return ReasonCode.InquiryExpired;
        }

        if (!inquiry.HasApplication)
        {
            return ReasonCode.InquiryApplicationNotFound;
        }

        if (!inquiry.Realized)
        {
            return ReasonCode.InquiryNotRealized;
        }

        if (!InquiryKeys.Matches(confirmationKey, inquiry.ConfirmationKeyHash))
        {
            return ReasonCode.InquiryNotFound;
        }

        if (!inquiry.ApplicationEnabled)
        {
            return ReasonCode.ApplicationDisabled;
        }

        return inquiry switch
        {
            { AccountExists: false } => ReasonCode.AccountNotFound,
            { AccountDeleted: true } => ReasonCode.AccountDeleted,
            { AccountEnabled: false } => ReasonCode.AccountDisabled,
            _ => null,
        };
    }

    /// <summary>The adapter's FindSql: the inquiry, its application and its realizing account in one round trip.</summary>
    private async Task<FoundInquiry?> FindAsync(string exposureKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var find = new NpgsqlCommand(PostgresInquiryStore.FindSql, connection);
        find.Parameters.AddWithValue("ExposureKey", exposureKey);
        await using var row = await find.ExecuteReaderAsync(cancellationToken);
        if (!await row.ReadAsync(cancellationToken))
        {
            return null;
        }

        T? Nullable<T>(string column) where T : struct =>
            row.IsDBNull(row.GetOrdinal(column)) ? null : row.GetFieldValue<T>(row.GetOrdinal(column));
        string? Text(string column) => row.IsDBNull(row.GetOrdinal(column)) ? null : row.GetString(row.GetOrdinal(column));
        byte[]? Bytes(string column) => row.IsDBNull(row.GetOrdinal(column)) ? null : row.GetFieldValue<byte[]>(row.GetOrdinal(column));
        var accountEnabled = Nullable<bool>("accountenabled");
        return new FoundInquiry(
            row.GetGuid(row.GetOrdinal("id")),
            Bytes("hiddenkeyhash")!,
            Nullable<int>("accesstokenttlseconds"),
            Nullable<int>("refreshtokenttlseconds"),
            new DateTimeOffset(DateTime.SpecifyKind(row.GetDateTime(row.GetOrdinal("expiresat")), DateTimeKind.Utc)),
            Nullable<Guid>("accountid") is not null,
            Nullable<Guid>("accountid") ?? Guid.Empty,
            Bytes("confirmationkeyhash"),
            Nullable<DateTime>("redeemedat"),
            Nullable<Guid>("applicationid") is not null,
            Nullable<Guid>("applicationid") ?? Guid.Empty,
            Text("anchor") ?? "",
            Nullable<Guid>("sectorid") ?? Guid.Empty,
            Nullable<bool>("applicationenabled") == true,
            accountEnabled is not null,
            accountEnabled == true,
            Nullable<bool>("accountdeleted") == true,
            Text("subject"));
    }

    /// <summary>The adapter's IssueSubjectSql (created on first need, read afterwards), retried as the adapter retries it.</summary>
    private async Task<string?> IssueSubjectAsync(Guid account, Guid sector, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using (var issue = new NpgsqlCommand(PostgresAccountRegistry.IssueSubjectSql, connection))
            {
                issue.Parameters.AddWithValue("Sector", sector);
                issue.Parameters.AddWithValue("Subject", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));
                issue.Parameters.AddWithValue("Account", account);
                if (await issue.ExecuteScalarAsync(cancellationToken) is string subject)
                {
                    return subject;
                }
            }

            await using var live = new NpgsqlCommand(PostgresAccountRegistry.AccountLiveSql, connection);
            live.Parameters.AddWithValue("Account", account);
            if (await live.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }

        throw new InvalidOperationException("The sector subject could not be issued.");
    }

    /// <summary>
    /// Size, media type, one JSON object of exactly the three string members (an unknown or repeated member refused,
    /// as the service's strict sign-in bodies refuse it), each 1..128 characters.
    /// </summary>
    private async Task<(string Exposure, string Hidden, string Confirmation)?> ReadKeysAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > maxBodyBytes)
        {
            await Fail(context, ReasonCode.BodyTooLarge);
            return null;
        }

        if (!HandwrittenRevokeAll.IsJson(request))
        {
            await Fail(context, ReasonCode.UnsupportedMediaType);
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(maxBodyBytes + 1);
        var length = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, maxBodyBytes + 1 - length), context.RequestAborted)) > 0)
            {
                length += read;
                if (length > maxBodyBytes)
                {
                    await Fail(context, ReasonCode.BodyTooLarge);
                    return null;
                }
            }

            if (ReadThree(buffer.AsSpan(0, length)) is not { } keys)
            {
                await Fail(context, ReasonCode.InvalidBody);
                return null;
            }

            return keys;
        }
        finally
        {
            buffer.AsSpan(0, length).Clear();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (string, string, string)? ReadThree(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 16 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? exposure = null, hidden = null, confirmation = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                ref string? slot = ref exposure;
                if (reader.ValueTextEquals(HiddenKeyMember))
                {
                    slot = ref hidden;
                }
                else if (reader.ValueTextEquals(ConfirmationKeyMember))
                {
                    slot = ref confirmation;
                }
                else if (!reader.ValueTextEquals(ExposureKeyMember))
                {
                    return null;
                }

                if (slot is not null || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    return null;
                }

                slot = reader.GetString();
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return null;
            }

            return exposure is { Length: > 0 and <= InquiryKeys.MaxLength }
                && hidden is { Length: > 0 and <= InquiryKeys.MaxLength }
                && confirmation is { Length: > 0 and <= InquiryKeys.MaxLength }
                ? (exposure, hidden, confirmation)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record FoundInquiry(
        Guid Id,
        byte[] HiddenKeyHash,
        int? AccessTokenTtlSeconds,
        int? RefreshTokenTtlSeconds,
        DateTimeOffset ExpiresAt,
        bool Realized,
        Guid AccountId,
        byte[]? ConfirmationKeyHash,
        DateTime? RedeemedAt,
        bool HasApplication,
        Guid ApplicationId,
        string Anchor,
        Guid SectorId,
        bool ApplicationEnabled,
        bool AccountExists,
        bool AccountEnabled,
        bool AccountDeleted,
        string? Subject);
}
