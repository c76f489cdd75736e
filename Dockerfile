# Builds the dstack agent into a runtime image. (No Docker engine runs on the development machines; build elsewhere.)
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Dstack.Agent/Dstack.Agent.csproj -c Release -o /out --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=build /out /opt/dstack-agent
COPY packaging/config/agent.json /etc/dstack/agent.json
ENTRYPOINT ["dotnet", "/opt/dstack-agent/dstack-agent.dll"]
CMD ["run", "--config", "/etc/dstack/agent.json"]
