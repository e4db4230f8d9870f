using Cohort.Domain.Accounts;
using Cohort.Domain.Transfers;
using Cohort.Runtime.Accounts;
using Cohort.Runtime.Ask;
using Cohort.Runtime.Cluster;
using Cohort.Runtime.Entities;
using Cohort.Runtime.Kafka;
using Cohort.Runtime.Metrics;
using Cohort.Runtime.Partitions;
using Cohort.Runtime.Persistence;
using Cohort.Runtime.Reconciliation;
using Cohort.Runtime.Singleton;
using Cohort.Runtime.Transfers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Cohort.Runtime.Hosting;

public static class CohortRuntimeExtensions
{
    /// <summary>Registers a Cohort node: options, journal, partition ownership, asks, singletons.</summary>
    public static IServiceCollection AddCohortRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<NodeOptions>(configuration.GetSection(NodeOptions.Section));
        services.Configure<KafkaOptions>(configuration.GetSection(KafkaOptions.Section));
        services.Configure<PostgresOptions>(configuration.GetSection(PostgresOptions.Section));
        services.Configure<PipelineOptions>(configuration.GetSection(PipelineOptions.Section));
        services.Configure<AccountOptions>(configuration.GetSection(AccountOptions.Section));

        services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IOptions<PostgresOptions>>().Value.ConnectionString;
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw new InvalidOperationException($"{PostgresOptions.Section}:ConnectionString is not set");
            }
            // Every batch runs the same few statements: prepared, they skip parsing and planning. A connection
            // string that sets these itself wins.
            var settings = new NpgsqlConnectionStringBuilder(connectionString);
            if (settings.MaxAutoPrepare == 0)
            {
                settings.MaxAutoPrepare = 32;
                settings.AutoPrepareMinUsages = 2;
            }
            settings.NoResetOnClose = true;
            return NpgsqlDataSource.Create(settings.ConnectionString);
        });
        services.AddSingleton<NodeReadiness>();
        services.AddSingleton<RuntimeMetrics>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<Journal>();
        services.AddSingleton<GroupCommitter>();
        services.AddSingleton<PartitionEpochs>();
        services.AddSingleton<ClusterView>();
        services.AddSingleton<MessageProducer>();
        services.AddSingleton<SingletonRunner>();
        services.AddSingleton<ISingletonService, RequestResultPruner>();
        services.Configure<ReconciliationOptions>(configuration.GetSection(ReconciliationOptions.Section));
        services.AddSingleton<Reconciler>();
        services.AddSingleton<ReconciliationService>();
        services.AddSingleton<ISingletonService>(sp => sp.GetRequiredService<ReconciliationService>());

        services.AddSingleton(sp => new AccountEntityType(sp.GetRequiredService<IOptions<AccountOptions>>().Value));
        services.AddSingleton<IHostedEntity>(sp => new HostedEntity<AccountState, AccountCommand, AccountEvent>(
            sp.GetRequiredService<AccountEntityType>()));
        services.AddSingleton(sp => new TransferEntityType(sp.GetRequiredService<IOptions<AccountOptions>>().Value));
        services.AddSingleton<IHostedEntity>(sp => new HostedEntity<TransferState, TransferCommand, TransferEvent>(
            sp.GetRequiredService<TransferEntityType>()));

        services.AddSingleton<ReplyListener>();
        services.AddSingleton<CommandBus>();
        services.AddSingleton<PartitionOwner>();
        services.AddSingleton<IPartitionView>(sp => sp.GetRequiredService<PartitionOwner>());
        services.AddSingleton<ILocalDelivery>(sp => sp.GetRequiredService<PartitionOwner>());

        services.AddHostedService<MigrationService>();
        services.AddHostedService(sp => sp.GetRequiredService<ReplyListener>());
        services.AddHostedService<NodeHeartbeat>();
        services.AddHostedService(sp => sp.GetRequiredService<PartitionOwner>());
        return services;
    }
}
