using Cohort.Node.Http;
using Cohort.Runtime.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss.fff ";
    o.UseUtcTimestamp = true;
});
builder.Services.AddCohortRuntime(builder.Configuration);
builder.Services.AddRequestSigning(builder.Configuration);
builder.Services.AddTransferEndpoints();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));

var app = builder.Build();
app.UseRequestSigning();
app.MapAccountEndpoints();
app.MapTransferEndpoints();
app.MapAdminEndpoints();
app.MapHealthEndpoints();
app.Run();
