# Node image. librdkafka comes with Confluent.Kafka (the librdkafka.redist package), nothing from the distribution.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Cohort.Node/Cohort.Node.csproj -c Release -o /app/node \
 && dotnet publish src/Cohort.Cli/Cohort.Cli.csproj -c Release -o /app/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app/node /app/node
COPY --from=build /app/cli /app/cli
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
# A young generation of 256 MB: see the README's "Runtime".
ENV DOTNET_GCgen0size=0x10000000
# HTTP, and Akka remoting (members talk to each other).
EXPOSE 8080 4053
# Exec form, so SIGTERM reaches the node: it stops consuming (commands answered, offsets committed, group left),
# hands its shards over, leaves the cluster and exits 0.
ENTRYPOINT ["dotnet", "/app/node/Cohort.Node.dll"]
