namespace Connect.Application.Administration.CreateSector;

public sealed class CreateSectorHandler(IApplicationRegistry applications)
    : AdministrationHandler<CreateSectorCommand, CreateSectorResult>
{
    protected override async Task<AdministrationOutcome<CreateSectorResult>> RunAsync(CreateSectorCommand request, CancellationToken cancellationToken)
    {
        var sector = await applications.CreateSectorAsync(request.Name, cancellationToken).ConfigureAwait(false);
        return new CreateSectorResult(sector);
    }
}
