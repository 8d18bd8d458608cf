// Real pusher-js (the node build the Maven build installs) signed in with a watchlist, for WatchlistIT:
// signin() with user_data {"id": <me>, "watchlist": [...]} -> the server's pusher_internal:watchlist_events ->
// pusher-js's pusher.user.watchlist facade. Prints one line per milestone; the test drives the other users.
//   SIGNED_IN            pusher:signin_success arrived
//   ONLINE a,b           a watchlist 'online' event, user_ids sorted
//   OFFLINE a,b          a watchlist 'offline' event, user_ids sorted
//   ERROR {...} / TIMEOUT
// Usage: node watchlist.js <port> <app key> <app secret> <user id> <watched ids, comma separated>
const Pusher = require('pusher-js');
const crypto = require('crypto');

const [port, key, secret, userId, watched] = process.argv.slice(2);
const userData = JSON.stringify({ id: userId, watchlist: watched ? watched.split(',') : [] });
const pusher = new Pusher(key, {
  cluster: 'local', wsHost: '127.0.0.1', wsPort: Number(port), forceTLS: false, enabledTransports: ['ws'],
  userAuthentication: {
    // Signed here as a backend's /broadcasting/user-auth would sign it.
    customHandler: ({ socketId }, callback) => {
      const signature = crypto.createHmac('sha256', secret).update(`${socketId}::user::${userData}`).digest('hex');
      callback(null, { auth: `${key}:${signature}`, user_data: userData });
    },
  },
});
const quit = (code) => {
  pusher.disconnect();
  setTimeout(() => process.exit(code), 200);
};
setTimeout(() => { console.log('TIMEOUT'); quit(2); }, 60000);

pusher.connection.bind('message', (message) => {
  if (message.event === 'pusher:signin_success') {
    console.log('SIGNED_IN');
  }
  if (message.event === 'pusher:subscription_error' || message.event === 'pusher:error') {
    console.log('ERROR ' + JSON.stringify(message));
  }
});
const ids = (event) => [...event.user_ids].sort().join(',');
pusher.user.watchlist.bind('online', (event) => console.log('ONLINE ' + ids(event)));
pusher.user.watchlist.bind('offline', (event) => console.log('OFFLINE ' + ids(event)));
process.stdin.on('data', (line) => {
  if (String(line).trim() === 'quit') {
    quit(0);
  }
});
pusher.signin();
