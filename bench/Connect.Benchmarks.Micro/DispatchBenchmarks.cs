using BenchmarkDotNet.Attributes;
using Connect.Application;
using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using MediatR;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Benchmarks.Micro;

/// <summary>
/// MediatR dispatch of one revoke-all command through the service's own container registration: the validation
/// behaviour (FluentValidation) and the handler, with the two database ports answering from memory; and the
/// handler alone with the same ports, so that the difference is what MediatR and validation cost.
/// </summary>
public class DispatchBenchmarks
{
    private ServiceProvider _services = null!;
    private IMediator _mediator = null!;
    private RevokeAllCommand _command = null!;
    private RevokeAllHandler _handler = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection()
            .AddConnectApplication()
            .AddSingleton<InMemoryRevoker>()
            .AddSingleton<IRefreshTokenRevoker>(services => services.GetRequiredService<InMemoryRevoker>())
            .AddSingleton<IRecordingRevoker>(services => services.GetRequiredService<InMemoryRevoker>())
            .BuildServiceProvider();
        _mediator = _services.GetRequiredService<IMediator>();

        // As the service's revoke-all reaches the handler: accepted with its replay record left to the revoking statement.
        var application = new AppId(Guid.CreateVersion7());
        var use = new JtiFirstUse(application, 1, "jti", DateTimeOffset.UnixEpoch);
        var caller = new AuthenticatedApplication(application, new ApplicationAnchor(SignedRequest.Anchor), new SectorId(Guid.CreateVersion7()))
        {
            Unrecorded = new UnrecordedClientJwt(use, _ => throw new InvalidOperationException("The benchmark's record is never refused.")),
        };
        _command = new RevokeAllCommand(caller, "-4940004460724202292");
        var revoker = new InMemoryRevoker();
        _handler = new RevokeAllHandler(revoker, revoker);

        if (Dispatch().GetAwaiter().GetResult() != InMemoryRevoker.Revoked || Handle().GetAwaiter().GetResult() != InMemoryRevoker.Revoked)
        {
            throw new InvalidOperationException("The benchmark command does not reach the handler.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark]
    public async Task<int> Dispatch()
    {
        var outcome = await _mediator.Send(_command, CancellationToken.None);
        return outcome.Succeeded ? outcome.Value!.RevokedCount : -1;
    }

    [Benchmark]
    public async Task<int> Handle()
    {
        var outcome = await _handler.Handle(_command, CancellationToken.None);
        return outcome.Succeeded ? outcome.Value!.RevokedCount : -1;
    }

    private sealed class InMemoryRevoker : IRefreshTokenRevoker, IRecordingRevoker
    {
        public const int Revoked = 4;

        private readonly Task<int?> _revoked = Task.FromResult<int?>(Revoked);
        private readonly Task<RecordedRevocation> _recorded = Task.FromResult(new RecordedRevocation(JtiRecording.FirstUse, Revoked));

        public Task<int?> RevokeAllActiveAsync(
            SectorId sector, SectorSubject subject, AppId application, CancellationToken cancellationToken) => _revoked;

        public Task<RecordedRevocation> RevokeAllActiveAsync(
            SectorId sector, SectorSubject subject, JtiFirstUse use, CancellationToken cancellationToken) => _recorded;
    }
}
