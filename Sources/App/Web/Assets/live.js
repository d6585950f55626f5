// Live seat count on an event page: the server's Server-Sent Events stream of the event's availability.
// The page works without it; this only keeps "N seats left" current without a reload.
(function () {
  var counter = document.getElementById("seats-left");
  if (!counter || !window.EventSource) return;
  var source = new EventSource("/events/" + counter.dataset.eventId + "/availability");
  source.onmessage = function (message) {
    var seats = JSON.parse(message.data);
    var soldOut = seats.availableSeats === 0;
    counter.textContent = soldOut ? "Sold out" : seats.availableSeats + (seats.availableSeats === 1 ? " seat left" : " seats left");
    counter.classList.toggle("sold-out", soldOut);
  };
})();
